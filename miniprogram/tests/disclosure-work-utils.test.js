// Money typed in 元 and sent in fen, the statutory calendar in words and colours, periods, and the
// review page's diff: pure functions, no page.
const { fenToYuan, yuanToFen } = require('../utils/format')
const work = require('../utils/disclosure-work')
const { diff, lineChanges } = require('../utils/disclosure-diff')

describe('yuanToFen: strict, no floating point', () => {
  test.each([
    ['12.3', 1230],
    ['12', 1200],
    ['0.05', 5],
    ['12.', 1200],
    [' 1200.50 ', 120050],
    ['007.10', 710],
    ['１２．３', 1230], // a full-width keyboard
    ['0.1', 10],
    ['99999999999.99', 9999999999999],
  ])('%j → %i fen', (typed, fen) => {
    expect(yuanToFen(typed)).toEqual({ fen })
  })

  test.each([
    ['12.345', '金额最多填到分（小数点后两位）'],
    ['', '请填写金额'],
    ['   ', '请填写金额'],
    [undefined, '请填写金额'],
    ['-1', '金额不能是负数'],
    ['1,200', '金额只能填数字，例如 1200.50'],
    ['1e3', '金额只能填数字，例如 1200.50'],
    ['.5', '金额只能填数字，例如 1200.50'],
    ['12元', '金额只能填数字，例如 1200.50'],
    ['100000000000', '金额过大，请核对'],
  ])('%j is refused: %s', (typed, error) => {
    expect(yuanToFen(typed)).toEqual({ error })
  })

  test('fen → 元 and back are exact where floats are not (0.1 + 0.2)', () => {
    expect(yuanToFen('0.1').fen + yuanToFen('0.2').fen).toBe(yuanToFen('0.3').fen)
    expect(fenToYuan(123456)).toBe('1,234.56')
    expect(fenToYuan(5)).toBe('0.05')
    expect(fenToYuan(0)).toBe('0.00')
    expect(fenToYuan(100000000)).toBe('1,000,000.00')
    expect(fenToYuan(1.5)).toBe('')
  })
})

describe('finance rows of the edit form', () => {
  test('totals follow what is typed; a bad row is named and left out of the totals', () => {
    const rows = [
      work.formRow('厂房租金收入', 'income', '35000'),
      work.formRow('村道保洁费', 'expense', '1200.5'),
      work.formRow('', 'expense', '12.345'),
    ]
    const checked = work.checkRows(rows)
    expect(checked.incomeText).toBe('35,000.00')
    expect(checked.expenseText).toBe('1,200.50')
    expect(checked.ok).toBe(false)
    expect(checked.errors).toEqual({ [rows[2].key]: '请填写项目名称；金额最多填到分（小数点后两位）' })
    rows[2] = Object.assign({}, rows[2], { label: '电费', yuan: '12.34' })
    const fixed = work.checkRows(rows)
    expect(fixed.ok).toBe(true)
    expect(fixed.items).toEqual([
      { label: '厂房租金收入', income_fen: 3500000, expense_fen: 0 },
      { label: '村道保洁费', income_fen: 0, expense_fen: 120050 },
      { label: '电费', income_fen: 0, expense_fen: 1234 },
    ])
    expect(fixed.totals).toEqual({ income_fen: 3500000, expense_fen: 121284 })
  })

  test('rows from the API: one form row per amount, in plain 元', () => {
    const rows = work.rowsFromApi([
      { label: '保洁费', income_fen: 0, expense_fen: 120000 },
      { label: '租金', income_fen: 3500000, expense_fen: 0 },
      { label: '往来款', income_fen: 100, expense_fen: 200 },
    ])
    expect(rows.map(r => [r.label, r.kind, r.yuan])).toEqual([
      ['保洁费', 'expense', '1200.00'],
      ['租金', 'income', '35000.00'],
      ['往来款', 'income', '1.00'],
      ['往来款', 'expense', '2.00'],
    ])
    expect(new Set(rows.map(r => r.key)).size).toBe(4)
  })
})

describe('periods and the calendar', () => {
  const today = work.shanghaiToday(Date.parse('2026-03-02T01:00:00+08:00'))

  test('Beijing’s date whatever the phone’s zone', () => {
    expect(today).toEqual({ year: 2026, month: 3, day: 2, iso: '2026-03-02' })
    expect(work.shanghaiToday(Date.parse('2026-03-01T17:00:00Z')).iso).toBe('2026-03-02')
  })

  test('period words and choices', () => {
    expect(work.periodText('2026-03')).toBe('2026年3月')
    expect(work.periodText('2026-Q1')).toBe('2026年第一季度')
    expect(work.periodText('2026-03-15')).toBe('2026年3月15日')
    expect(work.periodChoices('quarterly', today, 3).map(c => c.value)).toEqual(['2026-Q1', '2025-Q4', '2025-Q3'])
    expect(work.periodChoices('monthly', today, 3).map(c => c.value)).toEqual(['2026-03', '2026-02', '2026-01'])
  })

  test('the proposed period: the oldest missing one, else the last finished one', () => {
    const item = { id: 4, frequency: 'monthly' }
    const calendar = [
      { item_type: { id: 4 }, period: '2026-01', due: '2026-02-20', status: 'overdue' },
      { item_type: { id: 4 }, period: '2025-12', due: '2026-01-20', status: 'on_time' },
      { item_type: { id: 5 }, period: '2025-11', due: '2025-12-20', status: 'overdue' },
    ]
    expect(work.suggestedPeriod(item, calendar, today)).toBe('2026-01')
    expect(work.suggestedPeriod(item, [], today)).toBe('2026-02')
    expect(work.suggestedPeriod({ id: 6, frequency: 'quarterly' }, [], today)).toBe('2025-Q4')
    expect(work.suggestedPeriod({ id: 7, frequency: 'immediate' }, [], today)).toBe('2026-03-02')
  })
})

describe('the review page’s diff', () => {
  const returned = {
    title: '2月财务公开',
    body: '本月收支如下。\n请村民监督。',
    line_items: [
      { label: '村道保洁费', income_fen: 0, expense_fen: 120000 },
      { label: '厂房租金收入', income_fen: 3500000, expense_fen: 0 },
      { label: '办公用品', income_fen: 0, expense_fen: 3000 },
    ],
    attachment_ids: [7],
    comment: '保洁费请附合同',
  }
  const resubmitted = {
    title: '2月财务公开',
    body: '本月收支如下，保洁合同附后。\n请村民监督。',
    line_items: [
      { label: '厂房租金收入', income_fen: 3500000, expense_fen: 0 }, // moved: not a change
      { label: '村道保洁费', income_fen: 0, expense_fen: 102000 },
      { label: '电费', income_fen: 0, expense_fen: 5000 },
    ],
    attachments: [{ id: 7, filename: '收据.jpg' }, { id: 9, filename: '保洁合同.pdf' }],
  }

  test('fields, rows, totals and attachments that changed — and nothing else', () => {
    const d = diff(returned, resubmitted)
    expect(d.changed).toBe(true)
    expect(d.title).toBe(null)
    expect(d.body.map(l => [l.kind, l.text])).toEqual([
      ['removed', '本月收支如下。'],
      ['added', '本月收支如下，保洁合同附后。'],
      ['same', '请村民监督。'],
    ])
    expect(d.rows.map(r => [r.kind, r.label, r.before, r.after])).toEqual([
      ['changed', '村道保洁费', '支出 1,200.00 元', '支出 1,020.00 元'],
      ['added', '电费', '', '支出 50.00 元'],
      ['removed', '办公用品', '支出 30.00 元', ''],
    ])
    expect(d.totals).toEqual({ before: '收入 35,000.00 元，支出 1,230.00 元', after: '收入 35,000.00 元，支出 1,070.00 元' })
    expect(d.attachmentsAdded).toEqual(['保洁合同.pdf'])
    expect(d.attachmentsRemoved).toEqual([])
  })

  test('the same content: no change; a new title alone is one', () => {
    const same = Object.assign({}, returned, { attachments: [{ id: 7, filename: '收据.jpg' }] })
    expect(diff(returned, same).changed).toBe(false)
    const renamed = diff(returned, Object.assign({}, same, { title: '2026年2月财务公开' }))
    expect(renamed.changed).toBe(true)
    expect(renamed.title).toEqual({ before: '2月财务公开', after: '2026年2月财务公开' })
    expect(renamed.rows).toEqual([])
    expect(renamed.totals).toBe(null)
  })

  test('two rows of one label are matched in order', () => {
    const a = [{ label: '误工补贴', income_fen: 0, expense_fen: 100 }, { label: '误工补贴', income_fen: 0, expense_fen: 200 }]
    const b = [{ label: '误工补贴', income_fen: 0, expense_fen: 100 }]
    const d = diff({ title: '', body: '', line_items: a }, { title: '', body: '', line_items: b })
    expect(d.rows.map(r => [r.kind, r.before])).toEqual([['removed', '支出 2.00 元']])
  })

  test('a very long text is shown as replaced rather than compared line by line', () => {
    const long = Array.from({ length: 600 }, (_, i) => '第' + i + '行').join('\n')
    const other = Array.from({ length: 600 }, (_, i) => '第' + (i + 1) + '行').join('\n')
    const lines = lineChanges(long, other)
    expect(lines.filter(l => l.kind === 'removed')).toHaveLength(600)
    expect(lines.filter(l => l.kind === 'added')).toHaveLength(600)
  })
})

describe('the calendar and drafts in words', () => {
  test('what still needs publishing comes first, the late ones before the rest', () => {
    const item = (id, name, category) => ({ id, key: 'k' + id, name, category, frequency: 'monthly', legal_basis: null })
    const groups = work.calendarGroups([
      { item_type: item(1, '财务收支情况', 'finance'), period: '2025-12', due: '2026-01-20', status: 'on_time', published_on: '2026-01-10' },
      { item_type: item(1, '财务收支情况', 'finance'), period: '2026-01', due: '2026-02-20', status: 'overdue', published_on: null },
      { item_type: item(2, '党费收缴使用', 'party'), period: '2025-Q4', due: '2026-01-20', status: 'published_late', published_on: '2026-02-01' },
      { item_type: item(1, '财务收支情况', 'finance'), period: '2026-02', due: '2026-03-20', status: 'due', published_on: null },
    ])
    expect(groups.todo.map(r => [r.period, r.statusText, r.tone])).toEqual([
      ['2026-01', '已过期限，还没公开', 'red'],
      ['2026-02', '还没公开', 'amber'],
    ])
    expect(groups.done.map(r => [r.period, r.statusText, r.tone, r.publishedText])).toEqual([
      ['2025-12', '已按时公开', 'green', '2026年1月10日'],
      ['2025-Q4', '已公开（超过期限）', 'orange', '2026年2月1日'],
    ])
    expect(groups.overdueCount).toBe(1)
    expect(groups.todo[0].dueText).toBe('2026年2月20日')
  })

  test('the roles that draft and the roles that review, each village once', () => {
    const role = (r, id) => ({ id, role: r, township: { id: 2, name: '青山镇' }, village: { id: 5, name: '下林村' } })
    const roles = [role('village_secretary', 1), role('village_director', 2), role('supervision_member', 3), role('grid_worker', 4)]
    expect(work.draftVillages(roles)).toEqual([{ villageId: 5, villageName: '下林村', townshipId: 2 }])
    expect(work.reviewVillages(roles)).toEqual([{ villageId: 5, villageName: '下林村', townshipId: 2 }])
    expect(work.draftVillages([role('grid_worker', 4)])).toEqual([])
  })
})
