// 本村已解决的问题 (GET /h/<code>/resolved-complaints, public): the category, the dates and the
// summary the handling office wrote for publication — never anyone's identity, the complaint's own
// words, the villager's notes or the reply to them; cases about a named person are not listed.
// Loading, 重试, empty state and pull-down refresh: behaviors/page-load.js.
const pageLoad = require('../../behaviors/page-load')
const { request } = require('../../utils/request')
const household = require('../../utils/household')
const { shanghaiTime } = require('../../utils/format')

Component({
  behaviors: [pageLoad],

  data: {
    noCode: false, // no door scanned on this phone: nothing to list
    items: [],
  },

  methods: {
    load(options) {
      const code = household.current(options)
      if (!code) return Promise.resolve({ noCode: true })
      return request({ url: '/h/' + encodeURIComponent(code) + '/resolved-complaints' }).then(list => ({
        noCode: false,
        items: (list || []).map(c => ({
          reference: c.reference,
          categoryName: c.category_name,
          filedAt: shanghaiTime(c.filed_on, { dateOnly: true }),
          closedAt: shanghaiTime(c.closed_on, { dateOnly: true }),
          summary: c.public_summary || '',
        })),
      }))
    },

    isEmpty(data) {
      return !data.noCode && !data.items.length
    },

    onGoHome() {
      wx.reLaunch({ url: '/pages/index/index' })
    },
  },
})
