// Home: who am I here (running roles from GET /me), or a welcome.
const { request } = require('../../utils/request')
const auth = require('../../utils/auth')
const { messageOf, showError } = require('../../utils/errors')
const { roleRows } = require('../../utils/format')

Component({
  data: {
    status: 'loading', // loading | ready | error | loggedOut
    displayName: '',
    roles: [],
    errorMessage: '',
  },

  methods: {
    onLoad(options) {
      // After 退出登录 stay logged out until the user taps 登录 (the 401 → silent login in
      // request.js would otherwise log straight back in).
      if (options && options.from === 'logout') {
        this.setData({ status: 'loggedOut' })
        return
      }
      this.load()
    },

    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh())
    },

    load() {
      this.setData({ status: 'loading', errorMessage: '' })
      return request({ url: '/me' }).then(
        me => this.showMe(me),
        err => this.setData({ status: 'error', errorMessage: messageOf(err) })
      )
    },

    showMe(me) {
      this.setData({
        status: 'ready',
        displayName: (me && me.display_name) || '',
        roles: roleRows(me && me.roles),
      })
    },

    async onLogin() {
      try {
        const session = await auth.login()
        this.showMe(session.me)
      } catch (err) {
        showError(err)
      }
    },

    onRetry() {
      this.load()
    },

    onOpenMe() {
      wx.navigateTo({ url: '/pages/me/me' })
    },
  },
})
