// Small readers for the mini-program's own WXSS and WXML, enough to measure them (tests/elderly.test.js):
// not general CSS or XML parsers.

// WXSS → [{selector, decls: [{prop, value, important}]}]; @media blocks are read into their rules,
// other at-rules (@import, @font-face, @keyframes) are skipped.
function parseWxss(text) {
  const src = text.replace(/\/\*[\s\S]*?\*\//g, '')
  const rules = []
  let i = 0
  const block = () => { // from after "{" to its matching "}"
    let depth = 1
    const start = i
    while (i < src.length && depth) {
      if (src[i] === '{') depth++
      else if (src[i] === '}') depth--
      i++
    }
    if (depth) throw new Error('unbalanced braces')
    return src.slice(start, i - 1)
  }
  while (i < src.length) {
    const open = src.indexOf('{', i)
    const semi = src.indexOf(';', i)
    if (open < 0) break
    const head = src.slice(i, semi >= 0 && semi < open ? semi : open).trim()
    if (head.startsWith('@') && semi >= 0 && semi < open) { i = semi + 1; continue } // @import …;
    const prelude = src.slice(i, open).trim()
    i = open + 1
    const body = block()
    if (prelude.startsWith('@media')) rules.push(...parseWxss(body))
    else if (prelude.startsWith('@')) continue
    else rules.push({ selector: prelude.replace(/\s+/g, ' '), decls: declarations(body) })
  }
  return rules
}

function declarations(body) {
  return body.split(';').map(d => d.trim()).filter(Boolean).map(d => {
    const colon = d.indexOf(':')
    let value = d.slice(colon + 1).trim()
    const important = /!important$/.test(value)
    if (important) value = value.replace(/\s*!important$/, '')
    return { prop: d.slice(0, colon).trim().toLowerCase(), value, important }
  })
}

// WXML → a tree of {tag, attrs, children, line}; text nodes are left out.
function parseWxml(text) {
  const src = text.replace(/<!--[\s\S]*?-->/g, m => m.replace(/[^\n]/g, ' '))
  const root = { tag: '#root', attrs: {}, children: [], line: 1 }
  const stack = [root]
  const tagRe = /<(\/?)([A-Za-z][\w-]*)((?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'))?)*)\s*(\/?)>/g
  let m
  while ((m = tagRe.exec(src))) {
    const [, closing, tag, attrText, selfClosing] = m
    const line = src.slice(0, m.index).split('\n').length
    if (closing) {
      while (stack.length > 1 && stack[stack.length - 1].tag !== tag) stack.pop()
      if (stack.length > 1) stack.pop()
      continue
    }
    const attrs = {}
    const attrRe = /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'))?/g
    let a
    while ((a = attrRe.exec(attrText))) attrs[a[1]] = a[2] !== undefined ? a[2] : (a[3] !== undefined ? a[3] : true)
    const node = { tag, attrs, children: [], line }
    stack[stack.length - 1].children.push(node)
    if (!selfClosing && !['input', 'image', 'import', 'include', 'icon', 'progress'].includes(tag)) stack.push(node)
  }
  return root
}

function* walk(node) {
  yield node
  for (const child of node.children) yield* walk(child)
}

const classesOf = node => String(node.attrs.class || '').replace(/\{\{[^}]*\}\}/g, ' ').split(/\s+/).filter(Boolean)

module.exports = { parseWxss, parseWxml, walk, classesOf }
