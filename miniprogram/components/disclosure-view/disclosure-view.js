// PLACEHOLDER until h2's shared rendering of a disclosure lands (h2 owns this component; merge
// takes theirs): one version (VersionOut / PublicVersionOut) as villagers read it — title, body,
// the finance table in 元 with its totals, the attachments. Tapping an attachment triggers
// `open-attachment` with {attachment}; the page decides how to fetch it.
const { fenToYuan } = require('../../utils/format')

function rows(version) {
  return ((version && version.line_items) || []).map((r, key) => ({
    key,
    label: r.label,
    amount: [r.income_fen ? '收入 ' + fenToYuan(r.income_fen) + ' 元' : '', r.expense_fen ? '支出 ' + fenToYuan(r.expense_fen) + ' 元' : '']
      .filter(Boolean)
      .join('，') || '0.00 元',
  }))
}

function total(items, field) {
  return fenToYuan((items || []).reduce((sum, r) => sum + (r[field] || 0), 0))
}

Component({
  options: {
    styleIsolation: 'apply-shared',
  },
  properties: {
    version: { type: Object, value: null },
  },
  data: {
    rows: [],
    incomeTotal: '',
    expenseTotal: '',
  },
  observers: {
    version(v) {
      const items = (v && v.line_items) || []
      this.setData({ rows: rows(v), incomeTotal: total(items, 'income_fen'), expenseTotal: total(items, 'expense_fen') })
    },
  },
  methods: {
    onAttachment(e) {
      const attachment = ((this.data.version && this.data.version.attachments) || [])[e.currentTarget.dataset.index]
      if (attachment) this.triggerEvent('open-attachment', { attachment })
    },
  },
})
