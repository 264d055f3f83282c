// 我反映的问题 (GET /me/complaints): newest first; the ones waiting for my answer stand out.
// Loading, 重试, empty state and pull-down refresh: behaviors/page-load.js.
const pageLoad = require('../../behaviors/page-load')
const { request } = require('../../utils/request')
const household = require('../../utils/household')
const { listRow } = require('../../utils/complaints')

Component({
  behaviors: [pageLoad],

  data: {
    items: [],
    canFile: false,
  },

  methods: {
    load() {
      return request({ url: '/me/complaints' }).then(list => ({
        canFile: !!household.remembered(),
        items: (list || []).map(c => listRow(c)),
      }))
    },

    isEmpty(data) {
      return !data.items.length
    },

    // Back from a case (confirmed, rated): show the list as it is now.
    onShow() {
      if (!this.data.view.loading) this.reload()
    },

    onOpen(e) {
      wx.navigateTo({ url: '/pages/my-complaint/my-complaint?id=' + e.currentTarget.dataset.id })
    },

    onFile() {
      wx.navigateTo({ url: '/pages/complaint-file/complaint-file' })
    },
  },
})
