// 待办案件, for village cadres (and any office on WeChat): GET /complaints?status=…, newest first.
const { request } = require('../../utils/request')
const { messageOf } = require('../../utils/errors')
const { OFFICER_STATUS, listRow } = require('../../utils/complaints')
const { askForCaseDuties, loadTemplates, templateIds } = require('../../utils/subscribe')

const PER_PAGE = 20
const TABS = ['assigned', 'signed', 'replied', 'returned', 'closed']
  .map(key => ({ key, label: OFFICER_STATUS[key] }))
  .concat([{ key: '', label: '全部' }])

Component({
  data: {
    status: 'loading', // loading | ready | error
    errorMessage: '',
    tabs: TABS,
    filter: 'assigned',
    items: [],
    total: 0,
    loadingMore: false,
    canRemind: false, // the backend has templates for offices: offer 接收新案件提醒
  },

  methods: {
    onLoad(options) {
      const wanted = options && options.status
      if (wanted !== undefined && TABS.some(t => t.key === wanted)) this.setData({ filter: wanted })
      this.load()
      loadTemplates().then(() => this.setData({ canRemind: templateIds('handler').length > 0 }))
    },

    // Someone who only reads copies (a supervision liaison) never taps 签收 or 答复, where cadres are
    // asked; this is where they, or anyone, can say yes to the next message (one accept, one message).
    onRemind() {
      return askForCaseDuties().then(answer => {
        const accepted = !!answer && Object.keys(answer).some(k => answer[k] === 'accept')
        wx.showToast({ title: accepted ? '已开启，有新案件时提醒您一次' : '未开启提醒', icon: 'none', duration: 2500 })
      })
    },

    // Back from a case (signed, replied, sent back): the list as it is now.
    onShow() {
      if (this.loadedOnce) this.load()
    },

    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh())
    },

    query(page) {
      const q = { page, per_page: PER_PAGE }
      if (this.data.filter) q.status = this.data.filter
      return request({ url: '/complaints', data: q })
    },

    load() {
      this.setData({ status: 'loading', errorMessage: '' })
      this.page = 1
      const filter = this.data.filter
      return this.query(1).then(
        res => {
          if (filter !== this.data.filter) return // another tab was chosen meanwhile
          this.loadedOnce = true
          this.setData({ status: 'ready', items: rows(res), total: res.total })
        },
        err => this.setData({ status: 'error', errorMessage: messageOf(err) })
      )
    },

    onMore() {
      if (this.data.loadingMore) return null
      this.setData({ loadingMore: true })
      return this.query(this.page + 1).then(
        res => {
          this.page += 1
          this.setData({ loadingMore: false, items: this.data.items.concat(rows(res)), total: res.total })
        },
        err => {
          this.setData({ loadingMore: false })
          wx.showToast({ title: messageOf(err), icon: 'none', duration: 3000 })
        }
      )
    },

    onTab(e) {
      const filter = e.currentTarget.dataset.key
      if (filter === this.data.filter) return
      this.setData({ filter, items: [], total: 0 })
      this.load()
    },

    onRetry() {
      this.load()
    },

    onOpen(e) {
      wx.navigateTo({ url: '/pages/inbox-case/inbox-case?id=' + e.currentTarget.dataset.id })
    },
  },
})

function rows(res) {
  return ((res && res.items) || []).map(c => listRow(c, { officer: true }))
}
