// The API calls the mini-program makes, collected statically from its source (pages, components,
// behaviors, utils): every object literal with a `url` written as a path of the API — a string, a
// template literal or a `+` chain starting with "/" (not "/pages/…", which is navigation) — with its
// `method` (a string literal; GET when absent, POST when the object is given to upload()); download()
// is GET.
// Interpolated parts (`${id}`, `+ encodeURIComponent(code) +`) become "{}".
// A call whose path or method the collector cannot read is reported as a problem: write it out.
const fs = require('fs')
const path = require('path')
const parser = require('@babel/parser')

const ROOT = path.resolve(__dirname, '..')
const SOURCE_DIRS = ['pages', 'components', 'behaviors', 'utils']
const CALLERS = new Set(['request', 'upload', 'download', 'send', 'sendFile', 'fetchFile', 'act']) // given request options

function sourceFiles(root = ROOT) {
  const out = []
  const walk = dir => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (entry.name.endsWith('.js')) out.push(full)
    }
  }
  for (const dir of SOURCE_DIRS) if (fs.existsSync(path.join(root, dir))) walk(path.join(root, dir))
  return out.sort()
}

// The path of a url expression, with "{}" for what is computed; null when it is not a path of the API.
function pathOf(node) {
  const parts = []
  const add = n => {
    if (n.type === 'StringLiteral') parts.push(n.value)
    else if (n.type === 'TemplateLiteral') {
      n.quasis.forEach((q, i) => {
        parts.push(q.value.cooked)
        if (i < n.expressions.length) parts.push({})
      })
    } else if (n.type === 'BinaryExpression' && n.operator === '+') {
      add(n.left)
      add(n.right)
    } else parts.push({})
  }
  add(node)
  if (typeof parts[0] !== 'string' || !parts[0].startsWith('/')) return null
  const text = parts.map(p => (typeof p === 'string' ? p : '{}')).join('')
  return text.startsWith('/pages/') ? null : text.split('?')[0]
}

const keyName = prop => prop.key && (prop.key.name || prop.key.value)

function calleeName(call) {
  const c = call && call.callee
  if (!c) return ''
  if (c.type === 'Identifier') return c.name
  if (c.type === 'MemberExpression' && !c.computed) return c.property.name
  return ''
}

// Walks a babel AST without @babel/traverse, keeping each node's parent.
function walkAst(node, visit, parent = null) {
  if (!node || typeof node.type !== 'string') return
  visit(node, parent)
  for (const key of Object.keys(node)) {
    if (key === 'loc' || key === 'start' || key === 'end' || key === 'extra') continue
    const value = node[key]
    if (Array.isArray(value)) value.forEach(child => walkAst(child, visit, node))
    else if (value && typeof value.type === 'string') walkAst(value, visit, node)
  }
}

// → { calls: [{file, line, method, path}], problems: [text] }
function collect(files = sourceFiles()) {
  const calls = []
  const problems = []
  for (const file of files) {
    const where = line => `${path.relative(ROOT, file)}:${line}`
    const ast = parser.parse(fs.readFileSync(file, 'utf8'), { sourceType: 'script', errorRecovery: false })
    walkAst(ast.program, (node, parent) => {
      if (node.type !== 'ObjectExpression') return
      const urlProp = node.properties.find(p => p.type === 'ObjectProperty' && keyName(p) === 'url')
      if (!urlProp) return
      const givenTo = parent && parent.type === 'CallExpression' && parent.arguments.includes(node) ? calleeName(parent) : ''
      const line = node.loc.start.line
      const apiPath = urlProp.shorthand ? null : pathOf(urlProp.value)
      if (!apiPath) {
        // A url we cannot read: fine inside the wrapper (it passes its caller's url on) and for
        // navigation, a problem when handed to the wrapper from a page.
        const isWrapper = path.relative(ROOT, file) === path.join('utils', 'request.js')
        const navigation = urlProp.value && pathOf(urlProp.value) === null && /^\/pages\//.test(literalStart(urlProp.value))
        if (CALLERS.has(givenTo) && !isWrapper && !navigation) problems.push(`${where(line)}: the url given to ${givenTo}() cannot be read; write the path out`)
        return
      }
      const methodProp = node.properties.find(p => p.type === 'ObjectProperty' && keyName(p) === 'method')
      let method = givenTo === 'upload' || givenTo === 'sendFile' ? 'POST' : 'GET'
      if (methodProp) {
        if (methodProp.value.type !== 'StringLiteral') {
          problems.push(`${where(line)}: the method of ${apiPath} is not a string literal; write it out`)
          return
        }
        method = methodProp.value.value.toUpperCase()
      }
      calls.push({ file: path.relative(ROOT, file), line, method, path: apiPath })
    })
  }
  return { calls, problems }
}

function literalStart(node) {
  if (node.type === 'StringLiteral') return node.value
  if (node.type === 'TemplateLiteral') return node.quasis[0].value.cooked
  if (node.type === 'BinaryExpression') return literalStart(node.left)
  return ''
}

// The document's operations a collected call can be: each "{}" stands for one path segment or part
// of one; it must stand where the document has a parameter, not for a literal segment (a computed
// `/complaints/{}/${step}` could be anything).
function operationsFor(document, call, prefix = '/api/v1') {
  const wanted = (prefix + call.path).split('/')
  const found = []
  for (const [key, item] of Object.entries(document.paths)) {
    if (!item[call.method.toLowerCase()]) continue
    const segments = key.split('/')
    if (segments.length !== wanted.length) continue
    const fits = segments.every((seg, i) => {
      const mine = wanted[i]
      if (!mine.includes('{}')) return /^\{[^}]+\}$/.test(seg) || seg === mine
      return /^\{[^}]+\}$/.test(seg) // a computed part only where the API has a parameter
    })
    if (fits) found.push(key)
  }
  return found
}

module.exports = { ROOT, sourceFiles, collect, operationsFor }
