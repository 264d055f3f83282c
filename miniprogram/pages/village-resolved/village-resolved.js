// 本村已解决的问题 (GET /h/<code>/resolved-complaints, public): what was asked and how it was
// answered, without anyone's identity or the complaint's own words.
const { request } = require('../../utils/request')
const { messageOf } = require('../../utils/errors')
const household = require('../../utils/household')
const { lastReply } = require('../../utils/complaints')
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
            filedAt: shanghaiTime(c.filed_at, { dateOnly: true }),
            closedAt: shanghaiTime(c.closed_at, { dateOnly: true }),
            reply: lastReply(c.events),
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
