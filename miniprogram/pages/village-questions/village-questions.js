// 村民质询, for the village's cadres: the public questions not yet answered, the one due soonest
// first (overdue in red), each with the disclosure it is about; answer one (public to the whole
// village, after a confirmation). The answered ones are listed below.
// Opened as pages/village-questions/village-questions?village=<id>.
const pageLoad = require('../../behaviors/page-load')
const { request } = require('../../utils/request')
const { ApiError, messageOf } = require('../../utils/errors')
const { charCount } = require('../../utils/complaints')
const { shanghaiTime } = require('../../utils/format')
const { disclosureRow } = require('../../utils/disclosure-work')

const ANSWER_MAX = 2000 // AnswerIn.answer

function questionRow(q, titles) {
  return {
    id: q.id,
    status: q.status, // open | overdue | answered (held and rejected ones are not listed to the village)
    body: q.body,
    about: titles[q.disclosure_id] || '',
    // 实名 questions carry the name the villager gave (officers only); never the household
    asker: q.asker_name ? `提问人：${q.asker_name}（实名）` : '提问人：匿名',
    askedText: shanghaiTime(q.asked_at),
    dueText: shanghaiTime(q.due_at, { dateOnly: true }),
    overdue: q.status === 'overdue',
    answer: q.answer || '',
    answeredText: shanghaiTime(q.answered_at),
  }
}

Component({
  behaviors: [pageLoad],

  data: {
    waiting: [],
    answered: [],
    drafts: {}, // question id → the answer being typed
    lengths: {},
    errors: {},
    busyId: 0,
    answering: 0, // the question whose answer is being written (one at a time)
    answerMax: ANSWER_MAX,
  },

  methods: {
    load(options) {
      this.villageId = Number(options.village || 0)
      if (!this.villageId) return Promise.reject(new ApiError({ code: 'no_village', message: '没有找到您的村' }))
      return Promise.all([
        request({ url: `/villages/${this.villageId}/disclosure-questions` }),
        request({ url: `/villages/${this.villageId}/disclosures`, data: { stage: 'published', per_page: 200 } }),
      ]).then(([questions, disclosures]) => {
        const titles = {}
        disclosures.forEach(d => {
          const row = disclosureRow(d)
          titles[d.id] = `${row.periodText}${row.itemName}`
        })
        const rows = questions.map(q => questionRow(q, titles))
        return {
          waiting: rows.filter(q => q.status === 'open' || q.status === 'overdue'),
          answered: rows.filter(q => q.status === 'answered'),
        }
      })
    },

    isEmpty(data) {
      return !data.waiting.length && !data.answered.length
    },

    onPick(e) {
      const id = e.currentTarget.dataset.id
      if (id !== this.data.answering) this.setData({ answering: id })
    },

    onAnswerInput(e) {
      const id = e.currentTarget.dataset.id
      this.setData({ [`drafts.${id}`]: e.detail.value, [`lengths.${id}`]: charCount(e.detail.value), [`errors.${id}`]: '' })
    },

    onAnswer(e) {
      const id = e.currentTarget.dataset.id
      const answer = (this.data.drafts[id] || '').trim()
      if (!answer) {
        this.setData({ [`errors.${id}`]: '请写下答复的内容' })
        return null
      }
      if (this.data.busyId) return null
      return new Promise(resolve => {
        wx.showModal({
          title: '答复质询',
          content: '答复会公开给全村看到，发出后不能修改。确定发出吗？',
          confirmText: '发出答复',
          cancelText: '再看看',
          success: res => resolve(res.confirm ? this.send(id, answer) : null),
          fail: () => resolve(null),
        })
      })
    },

    send(id, answer) {
      this.setData({ busyId: id })
      return request({ url: `/disclosure-questions/${id}/answer`, method: 'POST', data: { answer } }).then(
        () => {
          this.setData({ busyId: 0, answering: 0, [`drafts.${id}`]: '' })
          wx.showToast({ title: '已答复', icon: 'success' })
          return this.reload()
        },
        err => {
          this.setData({ busyId: 0, [`errors.${id}`]: messageOf(err) })
          if (err.code === 'already_answered') return this.reload() // answered from another phone
          return null
        }
      )
    },
  },
})
