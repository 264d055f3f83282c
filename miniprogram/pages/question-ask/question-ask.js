// 我要质询: a public question about one disclosure (POST /h/<code>/disclosures/<id>/questions).
// The village must answer within the reply period; the question and the answer are public to the
// village, the asker is not. A name is optional (实名: only the officers who answer see it).
// 提交 first asks WeChat for the one message telling the asker of the answer (订阅消息: in the tap,
// before any await), then sends; WeChat's content check may refuse the text, which is said in plain
// words under the box. Success opens 我的质询, where the question now is.
// Opened as pages/question-ask/question-ask?code=<door>&id=<disclosure id>&title=<its title>.
const pageLoad = require('../../behaviors/page-load')
const { request } = require('../../utils/request')
const { ApiError, messageOf } = require('../../utils/errors')
const household = require('../../utils/household')
const { charCount } = require('../../utils/complaints')
const { askForQuestionAnswer, loadTemplates } = require('../../utils/subscribe')

const BODY_MAX = 500 // QuestionIn.body
const NAME_MAX = 20 // QuestionIn.real_name

// Answers of the server said for this form, in plainer words than a code.
const PLAIN = {
  content_refused: '您写的内容没有通过微信的内容安全检查，可能有不文明或不合规的字词。请换个说法再提交。',
  content_check_unavailable: '微信的内容检查暂时用不了，您写的内容还在，请过一会儿再点提交。',
}

function decoded(text) {
  try {
    return decodeURIComponent(text || '')
  } catch (e) {
    return ''
  }
}

Component({
  behaviors: [pageLoad],

  data: {
    title: '',
    body: '',
    bodyLength: 0,
    bodyMax: BODY_MAX,
    name: '',
    nameMax: NAME_MAX,
    bodyError: '',
    nameError: '',
    formError: '',
    busy: false,
  },

  methods: {
    load(options) {
      this.code = household.codeFrom(options) || household.remembered()
      this.disclosureId = Number(options.id || 0)
      if (!this.code || !this.disclosureId) {
        return Promise.reject(new ApiError({ code: 'not_found', message: '没有找到要质询的公开内容，请从公开内容页进入' }))
      }
      if (!this.templatesAsked) {
        this.templatesAsked = true
        loadTemplates() // known before 提交 asks WeChat for them
      }
      return Promise.resolve({ title: decoded(options.title) })
    },

    onBodyInput(e) {
      this.setData({ body: e.detail.value, bodyLength: charCount(e.detail.value), bodyError: '', formError: '' })
    },

    onNameInput(e) {
      this.setData({ name: e.detail.value, nameError: '', formError: '' })
    },

    onSubmit() {
      if (this.data.busy) return null
      const body = this.data.body.trim()
      const name = this.data.name.trim()
      if (!body) {
        this.setData({ bodyError: '请先写下您的疑问' })
        return null
      }
      if (charCount(name) > NAME_MAX) {
        this.setData({ nameError: `姓名最多 ${NAME_MAX} 个字` })
        return null
      }
      // In the tap itself, before any await: WeChat shows its consent dialog only from a tap.
      const asked = askForQuestionAnswer()
      this.setData({ busy: true, formError: '' })
      const data = { body }
      if (name) data.real_name = name
      return asked
        .then(() => request({
          url: `/h/${encodeURIComponent(this.code)}/disclosures/${this.disclosureId}/questions`,
          method: 'POST',
          data,
        }))
        .then(
          question => {
            this.setData({ busy: false })
            wx.redirectTo({ url: `/pages/my-questions/my-questions?id=${question.id}&asked=1` })
          },
          err => this.refused(err)
        )
    },

    refused(err) {
      const fields = (err && err.fields) || {}
      const first = list => (Array.isArray(list) && list.length ? String(list[0]) : '')
      const plain = PLAIN[err && err.code]
      this.setData({
        busy: false,
        bodyError: plain && fields.body ? plain : first(fields.body),
        nameError: first(fields.real_name),
        formError: plain && fields.body ? '' : plain || messageOf(err),
      })
    },
  },
})
