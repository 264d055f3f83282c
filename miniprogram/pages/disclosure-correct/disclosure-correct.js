// 更正 a published disclosure: it is never changed; a correction is a new version, with a reason
// villagers read, reviewed like the first. Here the cadre writes the reason; the new version (a
// copy of what is published) then opens in pages/disclosure-edit to be corrected and submitted.
// Opened as pages/disclosure-correct/disclosure-correct?id=<disclosure id>&village=&township=.
const pageLoad = require('../../behaviors/page-load')
const { request } = require('../../utils/request')
const { messageOf } = require('../../utils/errors')
const { charCount } = require('../../utils/complaints')
const work = require('../../utils/disclosure-work')

const REASON_MAX = 300 // CorrectionIn.reason

Component({
  behaviors: [pageLoad],

  data: {
    d: null,
    reason: '',
    reasonLength: 0,
    reasonMax: REASON_MAX,
    error: '',
    busy: false,
    pending: false, // a correction is already being written
  },

  methods: {
    load(options) {
      this.disclosureId = Number(options.id || 0)
      this.query = `village=${options.village || ''}&township=${options.township || ''}`
      return request({ url: `/disclosures/${this.disclosureId}` }).then(d => ({ d: work.disclosureRow(d) }))
    },

    onReasonInput(e) {
      this.setData({ reason: e.detail.value, reasonLength: charCount(e.detail.value), error: '' })
    },

    onStart() {
      const reason = this.data.reason.trim()
      if (!reason) {
        this.setData({ error: '请写明为什么更正，村民会看到这个理由' })
        return null
      }
      if (this.data.busy) return null
      this.setData({ busy: true })
      return request({ url: `/disclosures/${this.disclosureId}/corrections`, method: 'POST', data: { reason } }).then(
        () => wx.redirectTo({ url: `/pages/disclosure-edit/disclosure-edit?id=${this.disclosureId}&${this.query}` }),
        err => {
          this.setData({ busy: false, error: messageOf(err) })
          // a correction already being written (correction_pending): open it instead
          if (err.code === 'correction_pending') this.setData({ pending: true })
        }
      )
    },

    onOpenPending() {
      wx.redirectTo({ url: `/pages/disclosure-edit/disclosure-edit?id=${this.disclosureId}&${this.query}` })
    },
  },
})
