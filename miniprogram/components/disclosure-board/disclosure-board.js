// The village's disclosures on the door's landing (三务公开): the latest at once (from the landing,
// GET /h/<code>), then tabs 党务 / 村务 / 财务 listing each by period, newest first. Unread ones are
// marked for this household: GET /h/<code>/disclosures answers `read` per disclosure (the reach
// counter knows what this door opened). A row is one tap target and opens the disclosure.
const { request } = require('../../utils/request')
const { messageOf } = require('../../utils/errors')
const { TABS, byPeriod, listRow } = require('../../utils/disclosures')

const PER_PAGE = 50

Component({
  options: {
    styleIsolation: 'apply-shared',
  },
  properties: {
    code: { type: String, value: '' },
    latest: { type: Array, value: [] }, // DisclosureOut items of the landing
  },
  data: {
    tabs: TABS,
    tab: 'latest',
    latestRows: [],
    groups: [], // the chosen category's rows by period
    hasMore: false,
    loading: false,
    error: '',
  },
  lifetimes: {
    attached() {
      this.marks = {} // disclosure id → read, for this door
      this.lists = {} // category → {rows, total, page}
    },
  },
  observers: {
    latest(latest) {
      this.setData({ latestRows: this.marked((latest || []).map(listRow)) })
    },
    code(code) {
      // Observers run whenever the page sets the property, changed or not: one door, one fetch.
      if (!code || code === this.markedFor) return
      this.markedFor = code
      this.lists = {}
      this.fetchMarks()
    },
  },
  methods: {
    marked(rows) {
      const marks = this.marks || {}
      return rows.map(r => (r.id in marks ? Object.assign({}, r, { read: marks[r.id] }) : r))
    },

    // The newest page of the village's list: its read marks cover what the landing shows first.
    fetchMarks() {
      const code = this.data.code
      return request({ url: `/h/${encodeURIComponent(code)}/disclosures`, data: { per_page: 20 } }).then(
        page => {
          if (code !== this.data.code) return
          page.items.forEach(d => { this.marks[d.id] = d.read })
          this.setData({ latestRows: this.marked(this.data.latestRows) })
        },
        () => {} // marks are a help, not the content: the list itself still shows
      )
    },

    onTab(e) {
      const tab = e.currentTarget.dataset.tab
      this.setData({ tab, error: '' })
      if (tab === 'latest') return null
      const cached = this.lists[tab]
      if (cached) {
        this.showList(tab)
        return null
      }
      return this.fetchList(tab, 1)
    },

    fetchList(category, page) {
      const code = this.data.code
      this.setData({ loading: true, error: '', groups: page === 1 ? [] : this.data.groups })
      return request({
        url: `/h/${encodeURIComponent(code)}/disclosures`,
        data: { category, page, per_page: PER_PAGE },
      }).then(
        answer => {
          if (code !== this.data.code) return
          answer.items.forEach(d => { this.marks[d.id] = d.read })
          const before = page === 1 ? [] : this.lists[category].rows
          this.lists[category] = { rows: before.concat(answer.items.map(listRow)), total: answer.total, page }
          this.setData({ loading: false })
          if (this.data.tab === category) this.showList(category)
        },
        err => this.setData({ loading: false, error: messageOf(err) })
      )
    },

    showList(category) {
      const list = this.lists[category]
      this.setData({ groups: byPeriod(this.marked(list.rows)), hasMore: list.rows.length < list.total })
    },

    onMore() {
      const list = this.lists[this.data.tab]
      return list ? this.fetchList(this.data.tab, list.page + 1) : null
    },

    onRetry() {
      return this.data.tab === 'latest' ? null : this.fetchList(this.data.tab, 1)
    },

    onOpen(e) {
      const id = Number(e.currentTarget.dataset.id)
      // Opening it counts it as read for this door (the server records the view): no mark on return.
      this.marks[id] = true
      this.setData({ latestRows: this.marked(this.data.latestRows) })
      if (this.lists[this.data.tab]) this.showList(this.data.tab)
      wx.navigateTo({ url: `/pages/disclosure/disclosure?code=${encodeURIComponent(this.data.code)}&id=${id}` })
    },
  },
})
