// 公开事项, for the village's cadres: the statutory calendar (what is due, late or missing, in
// colours and words), drafts and returned drafts (with the committee's comments), what is
// published (更正 from there), 新建公开, and the villagers' questions still to answer.
// Opened as pages/disclosure-work/disclosure-work?village=<id>&township=<id>&name=<village name>.
const pageLoad = require('../../behaviors/page-load')
const { request } = require('../../utils/request')
const { ApiError } = require('../../utils/errors')
const { calendarGroups, disclosureRow } = require('../../utils/disclosure-work')

const TABS = [
  { key: 'calendar', label: '公开日历' },
  { key: 'drafting', label: '草稿和退回' },
  { key: 'published', label: '已公开' },
]
const PER_PAGE = 200 // a village's disclosures of a few years; the API's maximum page

Component({
  behaviors: [pageLoad],

  data: {
    tabs: TABS,
    tab: 'calendar',
    villageName: '',
    todo: [],
    done: [],
    overdueCount: 0,
    drafting: [],
    published: [],
    openQuestions: 0,
    overdueQuestions: 0,
  },

  methods: {
    load(options) {
      this.villageId = Number(options.village || 0)
      this.townshipId = Number(options.township || 0)
      if (!this.villageId) return Promise.reject(new ApiError({ code: 'no_village', message: '没有找到您的村' }))
      if (options.tab && TABS.some(t => t.key === options.tab) && !this.tabChosen) this.setData({ tab: options.tab })
      return Promise.all([
        request({ url: `/villages/${this.villageId}/calendar` }),
        request({ url: `/villages/${this.villageId}/disclosures`, data: { stage: 'drafting', per_page: PER_PAGE } }),
        request({ url: `/villages/${this.villageId}/disclosures`, data: { stage: 'published', per_page: PER_PAGE } }),
        request({ url: `/villages/${this.villageId}/disclosure-questions` }),
      ]).then(([calendar, drafting, published, questions]) => {
        const groups = calendarGroups(calendar)
        this.drafts = drafting
        const waiting = questions.filter(q => q.status === 'open' || q.status === 'overdue')
        return {
          villageName: options.name ? decodeURIComponent(options.name) : '',
          todo: groups.todo,
          done: groups.done,
          overdueCount: groups.overdueCount,
          drafting: drafting.map(disclosureRow),
          published: published.map(disclosureRow),
          openQuestions: waiting.length,
          overdueQuestions: waiting.filter(q => q.status === 'overdue').length,
        }
      })
    },

    // Back from editing, submitting or answering: the lists as they are now.
    onShow() {
      if (this.shownOnce) this.reload()
      this.shownOnce = true
    },

    onTab(e) {
      this.tabChosen = true
      this.setData({ tab: e.currentTarget.dataset.key })
    },

    query() {
      return `village=${this.villageId}&township=${this.townshipId}`
    },

    onNew() {
      wx.navigateTo({ url: '/pages/disclosure-new/disclosure-new?' + this.query() })
    },

    // A calendar row still to publish: its draft if one is being written, else a new one for it.
    onCalendarRow(e) {
      const { item, period } = e.currentTarget.dataset
      const draft = (this.drafts || []).find(d => d.item_type && d.item_type.id === item && d.period === period)
      if (draft) this.openDisclosure(draft.id)
      else wx.navigateTo({ url: `/pages/disclosure-edit/disclosure-edit?${this.query()}&item=${item}&period=${period}` })
    },

    onOpenDraft(e) {
      this.openDisclosure(e.currentTarget.dataset.id)
    },

    openDisclosure(id) {
      wx.navigateTo({ url: `/pages/disclosure-edit/disclosure-edit?id=${id}&${this.query()}` })
    },

    // A published disclosure: its correction being written if there is one, else a new one.
    onPublishedRow(e) {
      const { id, status } = e.currentTarget.dataset
      if (status !== 'published') this.openDisclosure(id)
      else wx.navigateTo({ url: `/pages/disclosure-correct/disclosure-correct?id=${id}&${this.query()}` })
    },

    onQuestions() {
      wx.navigateTo({ url: '/pages/village-questions/village-questions?village=' + this.villageId })
    },
  },
})
