// Every WXML and WXSS file compiles with WeChat's compilers (tests/compile.js); a broken one fails.
const fs = require('fs')
const os = require('os')
const path = require('path')
const { compileWxml, compileWxss } = require('./compile')

const ROOT = path.resolve(__dirname, '..')

const pages = JSON.parse(fs.readFileSync(path.join(ROOT, 'app.json'), 'utf8')).pages

test('every WXML file of the mini-program compiles', () => {
  const compiled = compileWxml(ROOT)
  expect(compiled).toEqual(expect.arrayContaining([...pages, 'components/page-state/page-state']))
})

test('every WXSS file of the mini-program compiles', () => {
  const compiled = compileWxss(ROOT)
  expect(compiled).toEqual(expect.arrayContaining(['app', ...pages, 'components/page-state/page-state']))
})

describe('a broken file fails the check', () => {
  let dir
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mingjing-compile-'))
    fs.mkdirSync(path.join(dir, 'pages', 'a'), { recursive: true })
    fs.writeFileSync(path.join(dir, 'pages/a/a.json'), '{"usingComponents": {}}')
    fs.writeFileSync(path.join(dir, 'pages/a/a.wxml'), '<view class="a">{{title}}</view>\n')
    fs.writeFileSync(path.join(dir, 'pages/a/a.wxss'), '.a { font-size: 36rpx; }\n')
  })
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

  test('the temporary project compiles as it is', () => {
    expect(compileWxml(dir)).toEqual(['pages/a/a'])
    expect(compileWxss(dir)).toEqual(['pages/a/a'])
  })

  test('WXML with a tag closed wrongly', () => {
    fs.writeFileSync(path.join(dir, 'pages/a/b.wxml'), '<view class="b">\n  <text>你好</view>\n')
    expect(() => compileWxml(dir)).toThrow(/pages\/a\/b\.wxml:2:\d+: expect end-tag `text`/)
  })

  test('WXSS with a brace left open', () => {
    fs.writeFileSync(path.join(dir, 'pages/a/a.wxss'), '.a { font-size: 36rpx;\n.b { color: #111111; }\n')
    expect(() => compileWxss(dir)).toThrow(/pages\/a\/a\.wxss\(2:\d+\): unexpected `\{`/)
  })
})
