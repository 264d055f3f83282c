// 待办案件, for village cadres (and any office on WeChat): GET /complaints?status=…, newest first.
// Loading, 重试, empty state and pull-down refresh: behaviors/page-load.js.
const pageLoad = require('../../behaviors/page-load')
const { request } = require('../../utils/request')
const { messageOf } = require('../../utils/errors')
const { OFFICER_STATUS, listRow } = require('../../utils/complaints')
const { askForCaseDuties, loadTemplates, templateIds } = require('../../utils/subscribe')

const PER_PAGE = 20
const TABS = ['assigned', 'signed', 'replied', 'returned', 'closed']
  .map(key => ({ key, label: OFFICER_STATUS[key] }))
  .concat([{ key: '', label: '全部' }])

Component({
  behaviors: [pageLoad],

  data: {
    tabs: TABS,
    filter: 'assigned',
    items: [],
    total: 0,
    loadingMore: false,
    canRemind: false, // the backend has templates for offices: offer 接收新案件提醒
  },

  methods: {
    load(options) {
      const first = !this.started
      if (first) { // the tab asked for in the link
        this.started = true
        const wanted = options.status
        if (wanted !== undefined && TABS.some(t => t.key === wanted)) this.setData({ filter: wanted })
      }
      const list = this.query(1)
      if (first) loadTemplates().then(() => this.setData({ canRemind: templateIds('handler').length > 0 }))
      return list.then(res => {
        this.page = 1
        return { items: rows(res), total: res.total }
      })
    },

    isEmpty(data) {
      return !data.items.length
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
      if (!this.data.view.loading) this.reload()
    },

    query(page) {
      const q = { page, per_page: PER_PAGE }
      if (this.data.filter) q.status = this.data.filter
      return request({ url: '/complaints', data: q })
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

    // Another tab: its list from page 1 (an answer for the tab left meanwhile is dropped by the behavior).
    onTab(e) {
      const filter = e.currentTarget.dataset.key
      if (filter === this.data.filter) return null
      this.setData({ filter, items: [], total: 0 })
      return this.reload({ showLoading: true })
    },

    onOpen(e) {
      wx.navigateTo({ url: '/pages/inbox-case/inbox-case?id=' + e.currentTarget.dataset.id })
    },
  },
})

function rows(res) {
  return ((res && res.items) || []).map(c => listRow(c, { officer: true }))
}
