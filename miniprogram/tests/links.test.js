const { parseScanUrl, invitationTokenFrom } = require('../utils/links')

const enc = encodeURIComponent

test('parses the two ordinary-link prefixes', () => {
  expect(parseScanUrl(enc('https://mingjing.example.cn/i/abcDEF_123-xyz'))).toEqual({ kind: 'invitation', value: 'abcDEF_123-xyz' })
  expect(parseScanUrl(enc('https://mingjing.example.cn/h/330102001201-0012/'))).toEqual({ kind: 'household', value: '330102001201-0012' })
  expect(parseScanUrl(enc('https://mingjing.example.cn/i/abcdefgh?from=poster'))).toEqual({ kind: 'invitation', value: 'abcdefgh' })
  expect(parseScanUrl(enc('https://mingjing.example.cn/x/abcdefgh'))).toBeNull()
  expect(parseScanUrl('%E0%A4%A')).toBeNull() // malformed encoding
  expect(parseScanUrl(undefined)).toBeNull()
})

test('invitation token from options.token or options.q', () => {
  expect(invitationTokenFrom({ token: 'abcdefgh12' })).toBe('abcdefgh12')
  expect(invitationTokenFrom({ q: enc('https://mingjing.example.cn/i/abcdefgh12') })).toBe('abcdefgh12')
  expect(invitationTokenFrom({ q: enc('https://mingjing.example.cn/h/abcdefgh12') })).toBe('')
  expect(invitationTokenFrom({ token: 'bad token<script>' })).toBe('')
  expect(invitationTokenFrom(undefined)).toBe('')
})
