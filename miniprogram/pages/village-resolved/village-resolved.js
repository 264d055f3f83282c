// 本村已解决的问题 (GET /h/<code>/resolved-complaints, public): the category, the dates and the
// summary the handling office wrote for publication — never anyone's identity, the complaint's own
// words, the villager's notes or the reply to them; cases about a named person are not listed.
const { request } = require('../../utils/request')
const { messageOf } = require('../../utils/errors')
const household = require('../../utils/household')
const { shanghaiTime } = require('../../utils/format')

Component({
  data: {
    status: 'loading', // loading | ready | error | noCode
    errorMessage: '',
    items: [],
  },

  methods: {
    onLoad(options) {
      this.code = household.current(options)
      if (!this.code) {
        this.setData({ status: 'noCode' })
        return
      }
      this.load()
    },

    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh())
    },

    load() {
      this.setData({ status: 'loading', errorMessage: '' })
      return request({ url: '/h/' + encodeURIComponent(this.code) + '/resolved-complaints' }).then(
        list => this.setData({
          status: 'ready',
          items: (list || []).map(c => ({
            reference: c.reference,
            categoryName: c.category_name,
            filedAt: shanghaiTime(c.filed_on, { dateOnly: true }),
            closedAt: shanghaiTime(c.closed_on, { dateOnly: true }),
            summary: c.public_summary || '',
          })),
        }),
        err => this.setData({ status: 'error', errorMessage: messageOf(err) })
      )
    },

    onRetry() {
      this.load()
    },

    onGoHome() {
      wx.reLaunch({ url: '/pages/index/index' })
    },
  },
})
