// Home, and the household landing: opened by scanning a door's QR (options.q = the encoded
// https://<host>/h/<code>) or with ?code=, it shows the door's village (GET /h/<code>) and the way
// to 反映问题 and to the village's resolved cases. Who I am here comes from GET /me.
// The door's landing also shows the village's disclosures at once (components/disclosure-board) and
// the township's supervision phone (components/supervision-call).
// Loading, 重试 and pull-down refresh: behaviors/page-load.js.
const pageLoad = require('../../behaviors/page-load')
const { request } = require('../../utils/request')
const auth = require('../../utils/auth')
const { messageOf, showError } = require('../../utils/errors')
const { roleRows } = require('../../utils/format')
const household = require('../../utils/household')
const { hasInbox } = require('../../utils/complaints')

Component({
  behaviors: [pageLoad],

  data: {
    loggedOut: false, // after 退出登录: no /me until the user taps 微信登录
    displayName: '',
    roles: [],
    hasInbox: false,
    door: null, // {village, township, number, code, latest, phone} of the remembered door
    doorError: '',
    hasDoor: false,
  },

  methods: {
    load(options) {
      if (this.code === undefined) { // first load: which door, and whether we came from 退出登录
        this.code = household.current(options)
        this.stayLoggedOut = options.from === 'logout'
        this.setData({ hasDoor: !!this.code })
      }
      const door = this.code ? this.loadDoor() : Promise.resolve()
      // After 退出登录 stay logged out until the user taps 登录 (the 401 → silent login in
      // request.js would otherwise log straight back in).
      if (this.stayLoggedOut) return door.then(() => ({ loggedOut: true }))
      return Promise.all([request({ url: '/me' }), door]).then(([me]) => meData(me))
    },

    // The door's village (public: no login needed). Its failure is shown on its own: the rest of the
    // page works without it. A revoked code is forgotten.
    loadDoor() {
      return request({ url: '/h/' + encodeURIComponent(this.code) }).then(
        landing => this.setData({
          door: {
            village: (landing.village && landing.village.name) || '',
            township: (landing.village && landing.village.township && landing.village.township.name) || '',
            number: (landing.household && landing.household.number) || '',
            code: this.code,
            latest: landing.disclosures || [],
            phone: (landing.village && landing.village.township && landing.village.township.supervision_phone) || '',
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

    async onLogin() {
      try {
        const session = await auth.login()
        this.stayLoggedOut = false
        this.setData(meData(session.me))
      } catch (err) {
        showError(err)
      }
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

    onOpenMyQuestions() {
      wx.navigateTo({ url: '/pages/my-questions/my-questions' })
    },

    onOpenInbox() {
      wx.navigateTo({ url: '/pages/inbox/inbox' })
    },
  },
})

function meData(me) {
  return {
    loggedOut: false,
    displayName: (me && me.display_name) || '',
    roles: roleRows(me && me.roles),
    hasInbox: hasInbox(me && me.roles),
  }
}
