// A case on a cadre's desk (GET /complaints/<id>): 签收 (sign), 答复 (reply, public to the
// villager), 退单 (send back to the township, with a reason). Two people may act on one case: when
// the server says it moved meanwhile (409), say so, keep what was typed and offer 刷新.
// Opened as pages/inbox-case/inbox-case?id=<id>. Loading, 重试 and pull-down: behaviors/page-load.js.
const pageLoad = require('../../behaviors/page-load')
const { request } = require('../../utils/request')
const { ApiError, messageOf, showError } = require('../../utils/errors')
const { charCount, isConflict, officerStatus, timeline } = require('../../utils/complaints')
const { shanghaiTime } = require('../../utils/format')
const { askForCaseDuties, loadTemplates } = require('../../utils/subscribe')

const TEXT_MAX = 500 // NoteIn.text, ReasonIn.reason
const SUMMARY_MAX = 200 // PublicSummaryIn.text
const CONFLICT_MESSAGE = '这件事刚刚被他人处理，请刷新后再看'
const DONE = { sign: '已签收', reply: '已答复', ask: '已请村民补充', 'send-back': '已退单', 'public-summary': '已保存公开摘要' }

Component({
  behaviors: [pageLoad],

  data: {
    c: null,
    events: [],
    photos: [],
    canSign: false,
    canReply: false,
    canSendBack: false,
    readOnlyNote: '',
    replyText: '',
    replyLength: 0,
    reasonText: '',
    reasonLength: 0,
    textMax: TEXT_MAX,
    canSummarise: false, // the village's public list of resolved cases shows what the office writes here
    summaryText: '',
    summaryMax: SUMMARY_MAX,
    sendingBack: false, // the 退单 form is open
    busy: false,
    conflict: '',
    actionError: '',
  },

  methods: {
    load(options) {
      this.complaintId = Number(options.id || 0)
      if (!this.complaintId) return Promise.reject(new ApiError({ code: 'not_found', message: '没有找到这个案件' }))
      const complaint = request({ url: '/complaints/' + this.complaintId })
      if (!this.templatesAsked) {
        this.templatesAsked = true
        loadTemplates() // ready before the tap that asks for them
      }
      return complaint.then(c => caseData(c))
    },

    show(c) {
      this.setData(caseData(c))
    },

    // 刷新 after someone else moved the case: what was typed stays.
    onRefresh() {
      return this.reload()
    },

    // ---- the three steps ----
    // 签收 and 答复 also ask WeChat for one more message each (the next assignment or deadline
    // reminder), inside the tap as WeChat requires; the step goes ahead whatever the answer.
    onSign() {
      if (this.data.busy) return null
      return this.act('sign', { url: `/complaints/${this.complaintId}/sign`, method: 'POST' }, null, askForCaseDuties())
    },

    onReplyInput(e) {
      this.setData({ replyText: e.detail.value, replyLength: charCount(e.detail.value), actionError: '' })
    },

    onReply() {
      const text = this.data.replyText.trim()
      if (!text) {
        this.setData({ actionError: '请写下答复的内容' })
        return null
      }
      if (this.data.busy) return null
      return this.act('reply', { url: `/complaints/${this.complaintId}/reply`, method: 'POST', data: { text } },
        () => this.setData({ replyText: '', replyLength: 0 }), askForCaseDuties())
    },

    // The same box asks the villager instead (POST /complaints/<id>/ask): the case waits for them and
    // the office's deadline stands still meanwhile.
    onAsk() {
      const text = this.data.replyText.trim()
      if (!text) {
        this.setData({ actionError: '请写下要村民补充什么' })
        return null
      }
      return this.act('ask', { url: `/complaints/${this.complaintId}/ask`, method: 'POST', data: { text } },
        () => this.setData({ replyText: '', replyLength: 0 }))
    },

    onOpenSendBack() {
      this.setData({ sendingBack: true, actionError: '' })
    },

    onCancelSendBack() {
      this.setData({ sendingBack: false, actionError: '' })
    },

    onReasonInput(e) {
      this.setData({ reasonText: e.detail.value, reasonLength: charCount(e.detail.value), actionError: '' })
    },

    onSendBack() {
      const reason = this.data.reasonText.trim()
      if (!reason) {
        this.setData({ actionError: '请写明退单的理由' })
        return null
      }
      return this.act('send-back', { url: `/complaints/${this.complaintId}/send-back`, method: 'POST', data: { reason } },
        () => this.setData({ reasonText: '', reasonLength: 0, sendingBack: false }))
    },

    // 公开摘要: one line for the village's public list (PUT /complaints/<id>/public-summary).
    onSummaryInput(e) {
      this.setData({ summaryText: e.detail.value, actionError: '' })
    },

    onSummary() {
      const text = this.data.summaryText.trim()
      if (!text) {
        this.setData({ actionError: '请写下要公开的办理结果' })
        return null
      }
      return this.act('public-summary', { url: `/complaints/${this.complaintId}/public-summary`, method: 'PUT', data: { text } },
        () => this.setData({ summaryText: '' }))
    },

    // One step on the case (`options` for request(): its path written out, so the contract test can
    // find it in the OpenAPI document); the answer is the case as it is now.
    act(step, options, cleared, asked) {
      if (this.data.busy) return null
      this.setData({ busy: true, conflict: '', actionError: '' })
      return Promise.resolve(asked).then(() => request(options)).then(
        c => {
          this.setData({ busy: false })
          if (cleared) cleared()
          this.show(c)
          wx.showToast({ title: DONE[step], icon: 'success' })
        },
        err => {
          // What was typed stays: after 刷新 it may still be wanted.
          if (isConflict(err)) this.setData({ busy: false, conflict: CONFLICT_MESSAGE })
          else this.setData({ busy: false, actionError: messageOf(err) })
        }
      )
    },

    // ---- contact and place ----
    onCall() {
      if (this.data.c.contactPhone) wx.makePhoneCall({ phoneNumber: this.data.c.contactPhone, fail: () => {} })
    },

    onOpenLocation() {
      const c = this.data.c
      if (!c.hasLocation) return
      wx.openLocation({ latitude: c.latitude, longitude: c.longitude, scale: 16, fail: err => showError(err) })
    },
  },
})

// Why there is nothing to do here.
function readOnlyNote(c, handling) {
  if (c.status === 'held') return '内容正在审核，审核通过后才能办理。'
  if (!handling) return '这件事抄送给您知晓，由其他单位办理。'
  if (c.status === 'replied') return '已答复，等待村民确认是否解决。'
  if (c.status === 'waiting') return '已请村民补充情况，等村民回复（其间办理时限暂停）。'
  if (c.status === 'returned') return '已退单，等待镇里重新分派。'
  if (c.status === 'closed') return '已办结。'
  return ''
}

// What the page shows of the case (HandlerComplaintOut); the 退单 form closes once it can't be used.
function caseData(c) {
  const handling = c.handling === true
  const data = {
    conflict: '',
    actionError: '',
    c: {
      reference: c.reference,
      categoryName: c.category_name,
      statusText: officerStatus(c),
      handler: c.handler || '',
      description: c.description,
      filedAt: shanghaiTime(c.filed_at),
      anonymous: c.anonymous,
      contactName: c.contact_name || '',
      contactPhone: c.contact_phone || '',
      hasLocation: typeof c.latitude === 'number' && typeof c.longitude === 'number',
      latitude: c.latitude,
      longitude: c.longitude,
      reopenCount: c.reopen_count || 0,
      publicSummary: c.public_summary || '',
    },
    events: timeline(c.events, { internal: true }),
    photos: c.photos || [], // components/case-photos: the cleared ones
    canSign: handling && c.status === 'assigned',
    canReply: handling && c.status === 'signed',
    canSendBack: handling && (c.status === 'assigned' || c.status === 'signed'),
    readOnlyNote: readOnlyNote(c, handling),
    // never for a case about a named person: it is not published at all
    canSummarise: handling && !c.about_role && (c.status === 'replied' || c.status === 'closed'),
  }
  if (!data.canSendBack) data.sendingBack = false
  return data
}
