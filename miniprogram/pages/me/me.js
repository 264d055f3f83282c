// My roles, my complaints (and, for cadres, their inbox), and 退出登录.
const pageLoad = require('../../behaviors/page-load')
const { request } = require('../../utils/request')
const auth = require('../../utils/auth')
const { roleRows } = require('../../utils/format')
const { hasInbox } = require('../../utils/complaints')
const { draftVillages, reviewVillages } = require('../../utils/disclosure-work')

Component({
  behaviors: [pageLoad],

  data: {
    displayName: '',
    roles: [],
    hasInbox: false,
    draftVillages: [], // 公开事项: the villages where this user drafts disclosures
    reviewVillages: [], // 待审核的公开: where they sit on the supervision committee
  },

  methods: {
    load() {
      return request({ url: '/me' }).then(me => ({
        displayName: (me && me.display_name) || '',
        roles: roleRows(me && me.roles),
        hasInbox: hasInbox(me && me.roles),
        draftVillages: draftVillages(me && me.roles),
        reviewVillages: reviewVillages(me && me.roles),
      }))
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

    onOpenDisclosureWork(e) {
      const v = this.data.draftVillages[e.currentTarget.dataset.index]
      wx.navigateTo({
        url: `/pages/disclosure-work/disclosure-work?village=${v.villageId}&township=${v.townshipId}&name=${encodeURIComponent(v.villageName)}`,
      })
    },

    onOpenReviews(e) {
      const v = this.data.reviewVillages[e.currentTarget.dataset.index]
      wx.navigateTo({ url: `/pages/review-list/review-list?village=${v.villageId}&name=${encodeURIComponent(v.villageName)}` })
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
