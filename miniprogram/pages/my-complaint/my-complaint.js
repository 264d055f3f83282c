// One of my complaints: where it stands, its public history, and my answer to the reply
// (已解决 / 未解决, POST /me/complaints/<id>/confirm), then stars (POST /me/complaints/<id>/rating).
// Opened as pages/my-complaint/my-complaint?id=<id> (&filed=1 right after filing).
// Loading, 重试 and pull-down refresh: behaviors/page-load.js.
const pageLoad = require('../../behaviors/page-load')
const { request } = require('../../utils/request')
const { ApiError, showError } = require('../../utils/errors')
const { charCount, isConflict, timeline, villagerStatus } = require('../../utils/complaints')
const { shanghaiTime } = require('../../utils/format')
const { askForComplaintUpdates, loadTemplates } = require('../../utils/subscribe')

const STARS = [1, 2, 3, 4, 5]
const COMMENT_MAX = 200 // RatingIn.comment
const SUPPLY_MAX = 500 // NoteIn.text
// What the current due time is for, in the villager's words (ComplaintOut.clock_step).
const DUE_WORDS = { sign: '办理单位应在 {t} 前签收', handle: '应在 {t} 前答复您', escalated: '督办单位应在 {t} 前答复您',
  waiting: '请在 {t} 前补充，逾期将按现有情况办理', follow_up: '请在 {t} 前确认是否解决' }

// The office's latest question to the villager (the public note of the last "asked" step).
function lastQuestion(events) {
  const asked = (events || []).filter(e => e.kind === 'asked')
  return asked.length ? asked[asked.length - 1].public_note || '' : ''
}

Component({
  behaviors: [pageLoad],

  data: {
    justFiled: false,
    c: null, // the case as shown
    events: [],
    photos: [],
    canConfirm: false,
    canRate: false,
    canSupply: false,
    question: '',
    supplyText: '',
    supplyLength: 0,
    supplyMax: SUPPLY_MAX,
    stars: STARS,
    chosenStars: 0,
    comment: '',
    commentLength: 0,
    commentMax: COMMENT_MAX,
    busy: false,
  },

  methods: {
    load(options) {
      this.complaintId = Number(options.id || 0)
      if (!this.complaintId) return Promise.reject(new ApiError({ code: 'not_found', message: '没有找到这条反映' }))
      const complaint = request({ url: '/me/complaints/' + this.complaintId })
      if (!this.templatesAsked) {
        this.templatesAsked = true
        loadTemplates() // ready before 未解决 asks for them
      }
      return complaint.then(c => Object.assign({ justFiled: !!options.filed }, caseData(c)))
    },

    show(c) {
      this.setData(caseData(c))
    },

    // ---- 已解决 / 未解决 ----
    onSolved() {
      this.ask({ title: '问题解决了吗？', content: '确认已经解决后，这件事就办结了。', confirmText: '已解决' },
        () => this.confirm(true))
    },

    onNotSolved() {
      wx.showModal({
        title: '还没有解决',
        editable: true,
        placeholderText: '说说哪里还没解决（可以不写）',
        confirmText: '提交',
        cancelText: '取消',
        success: res => {
          if (!res.confirm) return
          // The case is handled again: ask for the messages about it once more (one accept is one
          // message), from the modal's confirm tap, before any await.
          const asked = askForComplaintUpdates()
          const note = (res.content || '').trim()
          asked.then(() => this.confirm(false, note))
        },
      })
    },

    ask(options, then) {
      wx.showModal(Object.assign({ cancelText: '取消' }, options, {
        success: res => {
          if (res.confirm) then()
        },
      }))
    },

    confirm(solved, note) {
      const data = { solved }
      if (note) data.note = Array.from(note).slice(0, 500).join('') // ConfirmIn.note
      return this.act({ url: `/me/complaints/${this.complaintId}/confirm`, method: 'POST', data },
        solved ? '已确认解决' : '已反馈，会重新办理')
    },

    // ---- the office asked for more (补充情况): its clock stands still until we answer ----
    onSupplyInput(e) {
      this.setData({ supplyText: e.detail.value, supplyLength: charCount(e.detail.value) })
    },

    onSupply() {
      const text = this.data.supplyText.trim()
      if (!text) {
        wx.showToast({ title: '请先写下补充的情况', icon: 'none' })
        return null
      }
      return this.act({ url: `/me/complaints/${this.complaintId}/supply`, method: 'POST', data: { text } },
        '已提交补充')
    },

    // ---- rating ----
    onPickStars(e) {
      this.setData({ chosenStars: Number(e.currentTarget.dataset.stars) })
    },

    onCommentInput(e) {
      this.setData({ comment: e.detail.value, commentLength: charCount(e.detail.value) })
    },

    onRate() {
      if (!this.data.chosenStars) {
        wx.showToast({ title: '请先点星星打分', icon: 'none' })
        return null
      }
      const data = { stars: this.data.chosenStars }
      const comment = this.data.comment.trim()
      if (comment) data.comment = comment
      return this.act({ url: `/me/complaints/${this.complaintId}/rating`, method: 'POST', data }, '谢谢您的评价')
    },

    // One step on the case; the answer is the case as it is now.
    act(options, done) {
      if (this.data.busy) return null
      this.setData({ busy: true })
      return request(options).then(
        c => {
          this.setData({ busy: false })
          this.show(c)
          wx.showToast({ title: done, icon: 'success' })
        },
        err => {
          this.setData({ busy: false })
          if (isConflict(err)) {
            // The case moved meanwhile (or was already answered): show it as it is now.
            showError(err, { modal: true }).then(() => this.reload())
            return
          }
          showError(err)
        }
      )
    },
  },
})

// What the page shows of the case (ComplaintOut).
function caseData(c) {
  return {
    c: {
      reference: c.reference,
      categoryName: c.category_name,
      statusText: villagerStatus(c),
      handler: c.handler || '',
      description: c.description,
      anonymous: c.anonymous,
      heldForReview: !!c.held_for_review,
      filedAt: shanghaiTime(c.filed_at),
      rating: c.rating || 0,
      dueText: c.due_at && DUE_WORDS[c.clock_step] ? DUE_WORDS[c.clock_step].replace('{t}', shanghaiTime(c.due_at)) : '',
      escalated: (c.escalation_level || 0) > 0 && c.status !== 'closed',
    },
    events: timeline(c.events),
    photos: c.photos || [], // components/case-photos: pending ones too (being checked)
    canSupply: c.status === 'waiting',
    question: c.status === 'waiting' ? lastQuestion(c.events) : '',
    canConfirm: c.status === 'replied',
    canRate: c.status === 'closed' && !c.rating,
  }
}
