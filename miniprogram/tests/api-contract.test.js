// Contract: every path and method the mini-program calls exists in the backend's OpenAPI document.
const fs = require('fs')
const os = require('os')
const path = require('path')
const { collect, operationsFor } = require('./api-calls')
const { load } = require('./openapi')

test('every API call of the mini-program is an operation of the OpenAPI document', () => {
  const { document } = load()
  const { calls, problems } = collect()
  expect(problems).toEqual([])

  const missing = calls.filter(call => operationsFor(document, call).length === 0)
    .map(call => `${call.file}:${call.line}: ${call.method} ${call.path} is not in the OpenAPI document`)
  expect(missing).toEqual([])

  // The collector reads the ways the code writes paths (string, `+` chain, template literal, inside
  // the wrapper itself): if it stopped finding these, the test above would pass on nothing.
  const seen = new Set(calls.map(c => `${c.method} ${c.path}`))
  for (const known of ['GET /me', 'POST /auth/wx-login', 'POST /complaint-photos', 'GET /h/{}/resolved-complaints',
    'POST /me/complaints/{}/confirm', 'PUT /complaints/{}/public-summary']) {
    expect(seen).toContain(known)
  }
})

describe('the collector', () => {
  let dir
  const write = (name, text) => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
    fs.writeFileSync(path.join(dir, name), text)
    return path.join(dir, name)
  }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mingjing-calls-'))
  })

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true })
  })

  test('finds a call the API does not have, with its file and line', () => {
    const file = write('pages/x/x.js', [
      "const { request, upload } = require('../../utils/request')",
      'function a(code, id) {',
      "  request({ url: `/h/${code}/disclosures/${id}` })",
      "  request({ url: '/h/' + code + '/nothing-here', method: 'POST' })",
      "  upload({ url: '/complaint-photos', filePath: 'x' })",
      "  wx.navigateTo({ url: '/pages/me/me?id=' + id })",
      '}',
    ].join('\n'))
    const { document } = load()
    const { calls, problems } = collect([file])
    expect(problems).toEqual([])
    expect(calls.map(c => [c.line, c.method, c.path])).toEqual([
      [3, 'GET', '/h/{}/disclosures/{}'],
      [4, 'POST', '/h/{}/nothing-here'],
      [5, 'POST', '/complaint-photos'],
    ])
    expect(operationsFor(document, calls[0])).toEqual(['/api/v1/h/{code}/disclosures/{disclosure_id}'])
    expect(operationsFor(document, calls[1])).toEqual([])
    expect(operationsFor(document, calls[2])).toEqual(['/api/v1/complaint-photos'])
  })

  test('a computed verb or method, or a url it cannot read, is a problem to write out', () => {
    const file = write('pages/y/y.js', [
      'function b(id, step, method, url) {',
      '  request({ url: `/complaints/${id}/${step}`, method: "POST" })',
      "  request({ url: '/complaints/' + id, method })",
      '  request({ url })',
      '}',
    ].join('\n'))
    const { document } = load()
    const { calls, problems } = collect([file])
    expect(operationsFor(document, calls[0])).toEqual([]) // `${step}` stands where the API has literal verbs
    expect(problems).toEqual([
      'pages/y/y.js:3: the method of /complaints/{} is not a string literal; write it out',
      'pages/y/y.js:4: the url given to request() cannot be read; write the path out',
    ].map(p => p.replace('pages/y/y.js', path.relative(path.resolve(__dirname, '..'), file))))
  })
})
