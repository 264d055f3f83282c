// A cadre scans the invitation QR printed by township staff and binds their WeChat to the role.
// Opened as pages/invite/invite?token=… or from an ordinary-link QR (options.q = encoded
// https://<host>/i/<token>).
const { request } = require('../../utils/request')
const { invitationTokenFrom } = require('../../utils/links')
const { messageOf } = require('../../utils/errors')
const { roleScope } = require('../../utils/format')

// Worth another tap: the network or the server, not the invitation itself.
function canRetry(err) {
  if (!err) return true
  return err.code === 'network_error' || err.code === 'wx_login_failed' ||
    err.code === 'rate_limited' || err.status >= 500
}

Component({
  data: {
    status: 'loading', // loading | missing | ready | submitting | done | error
    errorMessage: '',
    retryable: false,
    roleLabel: '',
    scope: '',
  },

  methods: {
    onLoad(options) {
      this.invitationToken = invitationTokenFrom(options)
      this.setData({ status: this.invitationToken ? 'ready' : 'missing' })
    },

    async onConfirm() {
      if (!this.invitationToken || this.data.status === 'submitting') return
      this.setData({ status: 'submitting', errorMessage: '' })
      try {
        const role = await request({
          url: '/auth/invitations/accept',
          method: 'POST',
          data: { token: this.invitationToken },
        })
        this.setData({ status: 'done', roleLabel: role.role_label || '', scope: roleScope(role) })
      } catch (err) {
        this.setData({ status: 'error', errorMessage: messageOf(err), retryable: canRetry(err) })
      }
    },

    onGoHome() {
      wx.reLaunch({ url: '/pages/index/index' })
    },
  },
})
