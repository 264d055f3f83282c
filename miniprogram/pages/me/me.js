// My roles, my complaints (and, for cadres, their inbox), and 退出登录.
const pageLoad = require('../../behaviors/page-load')
const { request } = require('../../utils/request')
const auth = require('../../utils/auth')
const { roleRows } = require('../../utils/format')
const { hasInbox } = require('../../utils/complaints')

Component({
  behaviors: [pageLoad],

  data: {
    displayName: '',
    roles: [],
    hasInbox: false,
  },

  methods: {
    load() {
      return request({ url: '/me' }).then(me => ({
        displayName: (me && me.display_name) || '',
        roles: roleRows(me && me.roles),
        hasInbox: hasInbox(me && me.roles),
      }))
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
