// 新建公开: choose the item from the township's catalogue (村务公开目录) and its period, then write
// it (pages/disclosure-edit). Items the calendar says are missing come first, marked.
// Opened as pages/disclosure-new/disclosure-new?village=<id>&township=<id>.
const pageLoad = require('../../behaviors/page-load')
const { request } = require('../../utils/request')
const { ApiError } = require('../../utils/errors')
const work = require('../../utils/disclosure-work')

const CATEGORY_ORDER = ['finance', 'village', 'party']
const FREQUENCY_TEXT = { monthly: '每月公开', quarterly: '每季度公开', immediate: '事情发生后及时公开' }

Component({
  behaviors: [pageLoad],

  data: {
    groups: [], // [{category, name, items: [{id, name, frequencyText, missing}]}]
    chosen: null, // the item chosen
    periods: [], // choices for monthly and quarterly items
    periodIndex: 0,
    period: '',
    periodText: '',
    today: '',
    dueNote: '',
  },

  methods: {
    load(options) {
      this.villageId = Number(options.village || 0)
      this.townshipId = Number(options.township || 0)
      if (!this.villageId || !this.townshipId) {
        return Promise.reject(new ApiError({ code: 'no_village', message: '没有找到您的村' }))
      }
      return Promise.all([
        request({ url: `/townships/${this.townshipId}/catalogue` }),
        request({ url: `/villages/${this.villageId}/calendar` }),
      ]).then(([catalogue, calendar]) => {
        this.catalogue = catalogue
        this.calendar = calendar
        const missing = {}
        calendar.forEach(r => {
          if (r.status === 'overdue' || r.status === 'due') missing[r.item_type.id] = (missing[r.item_type.id] || 0) + 1
        })
        const groups = CATEGORY_ORDER.map(category => ({
          category,
          name: work.CATEGORY_NAMES[category],
          items: catalogue
            .filter(i => i.category === category)
            .map(i => ({ id: i.id, name: i.name, frequencyText: FREQUENCY_TEXT[i.frequency] || '', missing: missing[i.id] || 0 }))
            .sort((a, b) => b.missing - a.missing),
        })).filter(g => g.items.length)
        return { groups, today: work.shanghaiToday().iso }
      })
    },

    isEmpty(data) {
      return !data.groups.length
    },

    onChoose(e) {
      const item = this.catalogue.find(i => i.id === e.currentTarget.dataset.id)
      if (!item) return
      const period = work.suggestedPeriod(item, this.calendar)
      const periods = work.periodChoices(item.frequency)
      const index = periods.findIndex(p => p.value === period)
      if (periods.length && index === -1) periods.push({ value: period, text: work.periodText(period) })
      this.setData({ chosen: { id: item.id, name: item.name, frequency: item.frequency }, periods })
      this.setPeriod(period)
    },

    onBack() {
      this.setData({ chosen: null })
    },

    setPeriod(period) {
      const row = this.calendar.find(r => r.item_type.id === this.data.chosen.id && r.period === period)
      const dueNote = row && (row.status === 'overdue' || row.status === 'due')
        ? `${work.CALENDAR_STATUS[row.status].text}，期限 ${work.dateText(row.due)}`
        : ''
      this.setData({
        period,
        periodText: work.periodText(period),
        periodIndex: Math.max(0, this.data.periods.findIndex(p => p.value === period)),
        dueNote,
      })
    },

    onPeriodPick(e) {
      const choice = this.data.periods[Number(e.detail.value)]
      if (choice) this.setPeriod(choice.value)
    },

    onDatePick(e) {
      this.setPeriod(e.detail.value) // immediate items: the date of the event, YYYY-MM-DD
    },

    onStart() {
      const { chosen, period } = this.data
      if (!chosen || !period) return
      wx.redirectTo({
        url: `/pages/disclosure-edit/disclosure-edit?village=${this.villageId}&township=${this.townshipId}` +
          `&item=${chosen.id}&period=${period}`,
      })
    },
  },
})
