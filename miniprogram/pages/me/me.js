// My roles, my complaints (and, for cadres, their inbox), and 退出登录.
const { request } = require('../../utils/request')
const auth = require('../../utils/auth')
const { messageOf } = require('../../utils/errors')
const { roleRows } = require('../../utils/format')
const { hasInbox } = require('../../utils/complaints')

Component({
  data: {
    status: 'loading', // loading | ready | error
    displayName: '',
    roles: [],
    hasInbox: false,
    errorMessage: '',
  },

  methods: {
    onLoad() {
      this.load()
    },

    load() {
      this.setData({ status: 'loading', errorMessage: '' })
      return request({ url: '/me' }).then(
        me => this.setData({
          status: 'ready',
          displayName: (me && me.display_name) || '',
          roles: roleRows(me && me.roles),
          hasInbox: hasInbox(me && me.roles),
        }),
        err => this.setData({ status: 'error', errorMessage: messageOf(err) })
      )
    },

    onRetry() {
      this.load()
    },

    onOpenMine() {
      wx.navigateTo({ url: '/pages/my-complaints/my-complaints' })
    },

    onOpenInbox() {
      wx.navigateTo({ url: '/pages/inbox/inbox' })
    },

    onLogout() {
      wx.showModal({
        title: '退出登录',
        content: '确定要退出登录吗？',
        confirmText: '退出',
        cancelText: '不退出',
        success: async res => {
          if (!res.confirm) return
          await auth.logout()
          wx.reLaunch({ url: '/pages/index/index?from=logout' })
        },
      })
    },
  },
})
