// The small helpers behind the complaint pages.
const { shanghaiTime } = require('../utils/format')
const c = require('../utils/complaints')

beforeEach(() => {
  jest.resetModules()
})

test('times are shown in Beijing time whatever offset they carry', () => {
  expect(shanghaiTime('2026-03-05T14:05:00+08:00')).toBe('2026年3月5日 14:05')
  expect(shanghaiTime('2026-03-05T06:05:00Z')).toBe('2026年3月5日 14:05')
  expect(shanghaiTime('2026-12-31T16:30:00+00:00')).toBe('2027年1月1日 00:30') // new year in Beijing first
  expect(shanghaiTime('2026-03-05T14:05:00+08:00', { dateOnly: true })).toBe('2026年3月5日')
  expect(shanghaiTime(null)).toBe('')
  expect(shanghaiTime('not a time')).toBe('')
})

test('request ids fit the API’s pattern and differ per form', () => {
  const ids = new Set(Array.from({ length: 200 }, () => c.newRequestId()))
  expect(ids.size).toBe(200)
  for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{8,64}$/)
})

test('field messages, flattened for the form', () => {
  expect(c.fieldMessages({ description: ['至少 5 个字'], contact_phone: ['格式不正确', '必填'] }))
    .toEqual({ description: '至少 5 个字', contact_phone: '格式不正确；必填' })
  expect(c.fieldMessages({ photo_ids: { 0: ['不存在'] } })).toEqual({ photo_ids: '不存在' })
  expect(c.fieldMessages(null)).toEqual({})
})

test('characters are counted as the server counts them', () => {
  expect(c.charCount('围墙👍')).toBe(3)
  expect(c.charCount('')).toBe(0)
})

test('status words for villagers and offices; every state and step has words', () => {
  for (const status of ['held', 'assigned', 'signed', 'replied', 'returned', 'closed']) {
    expect(c.VILLAGER_STATUS[status]).toBeTruthy()
    expect(c.OFFICER_STATUS[status]).toBeTruthy()
  }
  expect(c.villagerStatus({ status: 'closed', resolution: 'solved' })).toBe('已办结（已解决）')
  expect(c.officerStatus({ status: 'assigned' })).toBe('待签收')
  expect(c.timeline([{ kind: 'unknown_kind', actor_label: '镇四平台', created_at: null }])[0].title).toBe('办理进展')
  expect(c.timeline([{ kind: 'returned', internal_note: '不归我办', public_note: 'x' }])[0].internalNote).toBe('')
  expect(c.timeline([{ kind: 'returned', internal_note: '不归我办' }], { internal: true })[0].internalNote).toBe('不归我办')
})

test('who has an inbox: any role but 村民', () => {
  expect(c.hasInbox([{ role: 'villager' }])).toBe(false)
  expect(c.hasInbox([{ role: 'villager' }, { role: 'grid_worker' }])).toBe(true)
  expect(c.hasInbox(undefined)).toBe(false)
})

test('the door code from a scanned QR or a link; anything else is ignored', () => {
  require('./helpers').installWx(() => ({ statusCode: 200, data: {} }))
  const household = require('../utils/household')
  const enc = encodeURIComponent
  expect(household.codeFrom({ q: enc('https://mingjing.example.cn/h/K3M9-7QX2-ABCDE') })).toBe('K3M9-7QX2-ABCDE')
  expect(household.codeFrom({ code: 'K3M97QX2ABCDE' })).toBe('K3M97QX2ABCDE')
  expect(household.codeFrom({ q: enc('https://mingjing.example.cn/i/K3M97QX2ABCDE') })).toBe('')
  expect(household.codeFrom({ code: '../../etc' })).toBe('')
  expect(household.current({})).toBe('')
  expect(household.current({ code: 'K3M97QX2ABCDE' })).toBe('K3M97QX2ABCDE')
  expect(household.current({})).toBe('K3M97QX2ABCDE') // remembered
})
