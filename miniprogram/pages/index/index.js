// Home, and the household landing: opened by scanning a door's QR (options.q = the encoded
// https://<host>/h/<code>) or with ?code=, it shows the door's village (GET /h/<code>) and the way
// to 反映问题 and to the village's resolved cases. Who I am here comes from GET /me.
const { request } = require('../../utils/request')
const auth = require('../../utils/auth')
const { messageOf, showError } = require('../../utils/errors')
const { roleRows } = require('../../utils/format')
const household = require('../../utils/household')
const { hasInbox } = require('../../utils/complaints')

Component({
  data: {
    status: 'loading', // loading | ready | error | loggedOut
    displayName: '',
    roles: [],
    errorMessage: '',
    hasInbox: false,
    door: null, // {village, township, number} of the remembered door
    doorError: '',
    hasDoor: false,
  },

  methods: {
    onLoad(options) {
      this.code = household.current(options)
      this.setData({ hasDoor: !!this.code })
      if (this.code) this.loadDoor()
      // After 退出登录 stay logged out until the user taps 登录 (the 401 → silent login in
      // request.js would otherwise log straight back in).
      if (options && options.from === 'logout') {
        this.setData({ status: 'loggedOut' })
        return
      }
      this.load()
    },

    onPullDownRefresh() {
      const door = this.code ? this.loadDoor() : Promise.resolve()
      Promise.all([this.load(), door]).then(() => wx.stopPullDownRefresh())
    },

    load() {
      this.setData({ status: 'loading', errorMessage: '' })
      return request({ url: '/me' }).then(
        me => this.showMe(me),
        err => this.setData({ status: 'error', errorMessage: messageOf(err) })
      )
    },

    // The door's village (public: no login needed). A revoked code is forgotten.
    loadDoor() {
      return request({ url: '/h/' + encodeURIComponent(this.code) }).then(
        landing => this.setData({
          door: {
            village: (landing.village && landing.village.name) || '',
            township: (landing.village && landing.village.township && landing.village.township.name) || '',
            number: (landing.household && landing.household.number) || '',
          },
          doorError: '',
        }),
        err => {
          if (err.code === 'household_code_void') {
            household.forget()
            this.code = ''
            this.setData({ hasDoor: false, door: null })
          }
          this.setData({ doorError: messageOf(err) })
        }
      )
    },

    showMe(me) {
      this.setData({
        status: 'ready',
        displayName: (me && me.display_name) || '',
        roles: roleRows(me && me.roles),
        hasInbox: hasInbox(me && me.roles),
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

    onFile() {
      wx.navigateTo({ url: '/pages/complaint-file/complaint-file?code=' + encodeURIComponent(this.code) })
    },

    onOpenResolved() {
      wx.navigateTo({ url: '/pages/village-resolved/village-resolved?code=' + encodeURIComponent(this.code) })
    },

    onOpenMine() {
      wx.navigateTo({ url: '/pages/my-complaints/my-complaints' })
    },

    onOpenInbox() {
      wx.navigateTo({ url: '/pages/inbox/inbox' })
    },
  },
})
