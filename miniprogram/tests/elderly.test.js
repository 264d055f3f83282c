// 适老化, measured: the type sizes, button heights, scaling with the phone's font setting and whole-row
// tap targets of every page and component (the design tokens are in app.wxss; see its header).
const fs = require('fs')
const path = require('path')
const { filesOf } = require('./compile')
const { parseWxss, parseWxml, walk, classesOf } = require('./styles')

const ROOT = path.resolve(__dirname, '..')
const read = file => fs.readFileSync(path.join(ROOT, file), 'utf8')

// 1rem = the WeChat font size at 标准, about 16px = 32rpx on a 375px-wide phone; 1px = 2rpx there.
const RPX_PER = { rpx: 1, px: 2, rem: 32 }
const MIN_TEXT_RPX = 28
const BODY_TEXT_RPX = 36
const PRIMARY_BUTTON_RPX = 120

const sheets = filesOf(ROOT, '.wxss').map(f => ({ file: f + '.wxss', rules: parseWxss(read(f + '.wxss')) }))
const tokens = {}
for (const rule of sheets.find(s => s.file === 'app.wxss').rules.filter(r => r.selector === 'page')) {
  for (const d of rule.decls) if (d.prop.startsWith('--')) tokens[d.prop] = d.value
}

function resolve(value) {
  return value.replace(/var\((--[\w-]+)\)/g, (all, name) => {
    if (!(name in tokens)) throw new Error(`unknown token ${name} (app.wxss defines ${Object.keys(tokens).join(', ')})`)
    return resolve(tokens[name])
  })
}

// '1.125rem' → {n: 1.125, unit: 'rem', rpx: 36}; null for anything else (unitless, %, em, keywords)
function size(value) {
  const m = /^(-?\d*\.?\d+)(rpx|px|rem)$/.exec(resolve(value).trim())
  return m ? { n: Number(m[1]), unit: m[2], rpx: Number(m[1]) * RPX_PER[m[2]] } : null
}

const everyDecl = function* (prop) {
  for (const sheet of sheets) {
    for (const rule of sheet.rules) {
      for (const d of rule.decls) if (prop(d.prop)) yield { file: sheet.file, rule, d, where: `${sheet.file} ${rule.selector} { ${d.prop}: ${d.value} }` }
    }
  }
}

test('every font-size is in rem (it follows the phone’s font setting) and at least 28rpx at 标准', () => {
  const bad = []
  for (const { d, where } of everyDecl(p => p === 'font-size')) {
    const s = size(d.value)
    if (!s || s.unit !== 'rem') bad.push(`${where}: use a token from app.wxss (rem), not ${d.value}`)
    else if (s.rpx < MIN_TEXT_RPX) bad.push(`${where}: below ${MIN_TEXT_RPX}rpx (${MIN_TEXT_RPX / 32}rem)`)
  }
  expect(bad).toEqual([])
})

test('body text is at least 36rpx at 标准', () => {
  const app = sheets.find(s => s.file === 'app.wxss').rules
  for (const selector of ['page', '.text']) {
    const decl = app.find(r => r.selector === selector).decls.find(d => d.prop === 'font-size')
    expect([selector, size(decl.value).rpx >= BODY_TEXT_RPX]).toEqual([selector, true])
  }
})

test('buttons are at least 120rpx high and grow with their text', () => {
  const btn = sheets.find(s => s.file === 'app.wxss').rules.find(r => r.selector === '.btn')
  const minHeight = btn.decls.find(d => d.prop === 'min-height')
  expect(size(minHeight.value).rpx).toBeGreaterThanOrEqual(PRIMARY_BUTTON_RPX)
  const bad = []
  for (const { rule, d, where } of everyDecl(p => ['height', 'max-height', 'min-height', 'line-height'].includes(p))) {
    if (!/(\.btn|button)/.test(rule.selector)) continue
    const s = size(d.value)
    if (d.prop === 'min-height' && s && s.rpx >= PRIMARY_BUTTON_RPX) continue
    if (d.prop === 'line-height' && !s) continue // unitless: grows with the text
    bad.push(where)
  }
  expect(bad).toEqual([])
})

test('boxes with text grow with it: no line-height, and no height on a box with text, in rpx or px', () => {
  const bad = []
  for (const { rule, d, where } of everyDecl(p => ['line-height', 'height', 'max-height'].includes(p))) {
    const s = size(d.value)
    if (!s || s.unit === 'rem') continue
    const hasText = rule.decls.some(x => x.prop === 'font-size')
    if (d.prop === 'line-height' || hasText) bad.push(where)
  }
  expect(bad).toEqual([])
})

const pages = JSON.parse(read('app.json')).pages
const views = filesOf(ROOT, '.wxml').map(f => ({ file: f + '.wxml', tree: parseWxml(read(f + '.wxml')) }))

test('every page follows the phone’s font setting: its first node is <page-meta root-font-size="system">', () => {
  const bad = pages.filter(page => {
    const first = views.find(v => v.file === page + '.wxml').tree.children[0]
    return !first || first.tag !== 'page-meta' || first.attrs['root-font-size'] !== 'system'
  })
  expect(bad).toEqual([])
})

test('every button wears the large button style (.btn and one of its kinds)', () => {
  const bad = []
  for (const { file, tree } of views) {
    for (const node of walk(tree)) {
      if (node.tag !== 'button') continue
      const cls = classesOf(node)
      if (!cls.includes('btn') || !cls.some(c => ['btn-primary', 'btn-secondary', 'btn-danger'].includes(c))) {
        bad.push(`${file}:${node.line} <button class="${node.attrs.class || ''}">`)
      }
    }
  }
  expect(bad).toEqual([])
})

const TAP = ['bindtap', 'catchtap', 'bind:tap', 'catch:tap']
// The tap targets of one list item: its own and its descendants', not those of a list inside it.
function tapsOf(item) {
  const found = []
  const visit = (node, top) => {
    if (!top && 'wx:for' in node.attrs) return
    if (TAP.some(a => a in node.attrs)) found.push(node)
    node.children.forEach(child => visit(child, false))
  }
  visit(item, true)
  return found
}

test('a list row that opens one thing is tapped anywhere on it (the whole row, at least 120rpx high)', () => {
  const bad = []
  for (const { file, tree } of views) {
    for (const item of walk(tree)) {
      if (!('wx:for' in item.attrs)) continue
      const taps = tapsOf(item)
      if (taps.length === 1 && taps[0] !== item) bad.push(`${file}:${taps[0].line}: put the tap on the row (line ${item.line})`)
      if (taps[0] === item && classesOf(item).includes('card') && !classesOf(item).includes('row')) {
        bad.push(`${file}:${item.line}: a card that opens something is a .row`)
      }
    }
  }
  expect(bad).toEqual([])
  const row = sheets.find(s => s.file === 'app.wxss').rules.find(r => r.selector === '.row')
  expect(size(row.decls.find(d => d.prop === 'min-height').value).rpx).toBeGreaterThanOrEqual(PRIMARY_BUTTON_RPX)
})

describe('the measures fail what they should', () => {
  test('small or fixed type, short buttons, fixed line heights', () => {
    const rules = parseWxss(`
      /* a comment { with braces } */
      .a { font-size: 26rpx; }
      @media (min-width: 600px) { .b { font-size: var(--text-min); line-height: 40rpx; } }
      .btn-x { min-height: 100rpx; }`)
    expect(rules.map(r => r.selector)).toEqual(['.a', '.b', '.btn-x'])
    expect(size(rules[0].decls[0].value)).toEqual({ n: 26, unit: 'rpx', rpx: 26 })
    expect(size(rules[1].decls[0].value).rpx).toBe(MIN_TEXT_RPX)
    expect(size('0.8rem').rpx).toBeLessThan(MIN_TEXT_RPX)
    expect(size('1.4')).toBeNull()
    expect(() => size('var(--nope)')).toThrow(/unknown token --nope/)
  })

  test('a nested tap in a row, and a page without page-meta', () => {
    const tree = parseWxml(`<view class="list">
      <view wx:for="{{items}}" class="card"><text bindtap="onOpen">{{item.name}}</text>
        <view wx:for="{{item.tags}}" bindtap="onTag">{{item}}</view></view>
      <input value="{{x}}" /><button class="btn">ok</button>
    </view>`)
    const row = [...walk(tree)].find(n => 'wx:for' in n.attrs)
    expect(tapsOf(row).map(n => [n.tag, n.line])).toEqual([['text', 2]])
    expect(tapsOf([...walk(row)].find(n => n !== row && 'wx:for' in n.attrs)).map(n => n.line)).toEqual([3])
    expect(tree.children[0].tag).toBe('view') // no page-meta first
    expect([...walk(tree)].find(n => n.tag === 'button').attrs.class).toBe('btn')
  })
})
