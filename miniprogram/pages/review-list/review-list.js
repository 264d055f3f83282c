// 待审核, for the village supervision committee (村务监督委员会): the disclosures the cadres
// submitted, oldest submission first; a tap opens the review page.
// Opened as pages/review-list/review-list?village=<id>&name=<village name>.
const pageLoad = require('../../behaviors/page-load')
const { request } = require('../../utils/request')
const { ApiError } = require('../../utils/errors')
const { disclosureRow, workingVersion } = require('../../utils/disclosure-work')

Component({
  behaviors: [pageLoad],

  data: {
    villageName: '',
    items: [],
  },

  methods: {
    load(options) {
      const villageId = Number(options.village || 0)
      if (!villageId) return Promise.reject(new ApiError({ code: 'no_village', message: '没有找到您的村' }))
      return request({ url: `/villages/${villageId}/disclosures`, data: { stage: 'in_review', per_page: 200 } }).then(list => {
        const submitted = d => (workingVersion(d) || {}).submitted_at || ''
        const items = list.slice().sort((a, b) => (submitted(a) < submitted(b) ? -1 : 1)).map(d => {
          const row = disclosureRow(d)
          row.resubmitted = !!(workingVersion(d) || {}).last_returned
          return row
        })
        return { items, villageName: options.name ? decodeURIComponent(options.name) : '' }
      })
    },

    isEmpty(data) {
      return !data.items.length
    },

    // Back from a review: the list as it is now.
    onShow() {
      if (this.shownOnce) this.reload()
      this.shownOnce = true
    },

    onOpen(e) {
      wx.navigateTo({ url: '/pages/review/review?id=' + e.currentTarget.dataset.id })
    },
  },
})
