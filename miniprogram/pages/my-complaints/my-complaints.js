// 我反映的问题 (GET /me/complaints): newest first; the ones waiting for my answer stand out.
const { request } = require('../../utils/request')
const { messageOf } = require('../../utils/errors')
const household = require('../../utils/household')
const { listRow } = require('../../utils/complaints')

Component({
  data: {
    status: 'loading', // loading | ready | error
    errorMessage: '',
    items: [],
    canFile: false,
  },

  methods: {
    onLoad() {
      this.setData({ canFile: !!household.remembered() })
      this.load()
    },

    // Back from a case (confirmed, rated): show the list as it is now.
    onShow() {
      if (this.loadedOnce) this.load()
    },

    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh())
    },

    load() {
      if (this.data.status !== 'ready') this.setData({ status: 'loading', errorMessage: '' })
      return request({ url: '/me/complaints' }).then(
        list => {
          this.loadedOnce = true
          this.setData({ status: 'ready', items: (list || []).map(c => listRow(c)) })
        },
        err => this.setData({ status: 'error', errorMessage: messageOf(err) })
      )
    },

    onRetry() {
      this.load()
    },

    onOpen(e) {
      wx.navigateTo({ url: '/pages/my-complaint/my-complaint?id=' + e.currentTarget.dataset.id })
    },

    onFile() {
      wx.navigateTo({ url: '/pages/complaint-file/complaint-file' })
    },
  },
})
