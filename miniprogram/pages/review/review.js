// The supervision committee reviews one disclosure (村务监督委员会审核): what villagers will read,
// rendered as they will read it (components/disclosure-view; a draft's attachments fetched with the
// session from /disclosure-attachments/<id>), and what changed since the committee
// last returned it (or, for a correction, against what villagers read now); then 通过并公开 or
// 退回修改 with comments, each after a confirmation in plain words.
// Opened as pages/review/review?id=<disclosure id>.
const pageLoad = require('../../behaviors/page-load')
const { request } = require('../../utils/request')
const { ApiError, messageOf } = require('../../utils/errors')
const { charCount } = require('../../utils/complaints')
const { diff } = require('../../utils/disclosure-diff')
const work = require('../../utils/disclosure-work')

const COMMENT_MAX = 500 // ReviewIn.comment, ReturnIn.comment
const DONE = {
  approve: '已通过，已向全村公开。',
  return: '已退回，村干部会按您的意见修改后再提交。',
}

Component({
  behaviors: [pageLoad],

  data: {
    d: null, // the disclosure's line in words (item, period, submitted)
    version: null, // the version in review, for <disclosure-view>
    reviewing: false, // false: nothing waits for review here any more
    changes: null, // utils/disclosure-diff's result, or null on a first submission
    changesAgainst: '', // 'returned' | 'published'
    lastComment: '',
    correctionReason: '',
    comment: '',
    commentLength: 0,
    commentMax: COMMENT_MAX,
    commentError: '',
    actionError: '',
    conflict: '',
    done: '',
    busy: false,
  },

  methods: {
    load(options) {
      const id = Number(options.id || 0)
      if (!id) return Promise.reject(new ApiError({ code: 'no_disclosure', message: '没有找到要审核的内容' }))
      return request({ url: `/disclosures/${id}` }).then(d => {
        const v = (d.versions || []).find(x => x.status === 'in_review') || null
        const base = v && (v.last_returned || (v.number > 1 ? d.current : null))
        return {
          d: work.disclosureRow(d),
          version: v,
          reviewing: !!v,
          changes: base ? diff(base, v) : null,
          changesAgainst: v && v.last_returned ? 'returned' : base ? 'published' : '',
          lastComment: v && v.last_returned ? v.last_returned.comment : '',
          correctionReason: v ? v.correction_reason || '' : '',
          conflict: '',
          actionError: '',
        }
      })
    },

    onCommentInput(e) {
      this.setData({ comment: e.detail.value, commentLength: charCount(e.detail.value), commentError: '' })
    },

    onApprove() {
      if (this.data.busy) return null
      const comment = this.data.comment.trim()
      return this.confirmThen(
        {
          title: '通过并公开',
          content: '通过后，这条内容马上向全村公开，以后不能再改（有错只能更正）。确定通过吗？',
          confirmText: '通过并公开',
        },
        () => {
          const data = comment ? { comment } : {}
          const sending = request({ url: `/disclosure-versions/${this.data.version.id}/approve`, method: 'POST', data })
          return this.decided(sending, DONE.approve, '已公开')
        }
      )
    },

    onReturn() {
      if (this.data.busy) return null
      const comment = this.data.comment.trim()
      if (!comment) {
        this.setData({ commentError: '退回时请写明要怎么改，村干部会看到' })
        return null
      }
      return this.confirmThen(
        {
          title: '退回修改',
          content: '这条内容不会公开，会退回给村干部按您的意见修改后再提交。确定退回吗？',
          confirmText: '退回',
        },
        () => {
          const sending = request({ url: `/disclosure-versions/${this.data.version.id}/return`, method: 'POST', data: { comment } })
          return this.decided(sending, DONE.return, '已退回')
        }
      )
    },

    confirmThen(modal, then) {
      return new Promise(resolve => {
        wx.showModal(Object.assign({ cancelText: '再看看' }, modal, {
          success: res => resolve(res.confirm ? then() : null),
          fail: () => resolve(null),
        }))
      })
    },

    // After the confirmation: the step's request on its way; what the page shows of its answer.
    decided(sending, done, toast) {
      this.setData({ busy: true, actionError: '', conflict: '' })
      return sending.then(
        () => {
          this.setData({ busy: false, reviewing: false, done, comment: '', commentLength: 0 })
          wx.showToast({ title: toast, icon: 'success' })
        },
        err => {
          this.setData({ busy: false })
          // Another member reviewed it meanwhile, or the cadre withdrew it: show it as it is now.
          if (err.status === 409) this.setData({ conflict: '这条内容刚刚被别人审核过了，请刷新后再看' })
          else this.setData({ actionError: messageOf(err) })
        }
      )
    },

    onRefresh() {
      this.setData({ done: '' })
      return this.retry()
    },

    onBack() {
      wx.navigateBack({ delta: 1 })
    },
  },
})
