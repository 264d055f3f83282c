// Compiles the mini-program's WXML and WXSS with WeChat's own compilers (wcc, wcsc) as the npm
// package miniprogram-compiler ships them — the ones miniprogram-simulate renders pages with.
// DevTools runs the same compilers before a page can open; a file they refuse never reaches a phone.
const fs = require('fs')
const path = require('path')
const wcc = require('miniprogram-compiler/src/wcc')
const wcsc = require('miniprogram-compiler/src/wcsc')

// Paths below `root` ending with `ext`, without it, node_modules and dot-folders left out.
function filesOf(root, ext) {
  const out = []
  const walk = dir => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (entry.name.endsWith(ext)) out.push(path.relative(root, full).split(path.sep).join('/').slice(0, -ext.length))
    }
  }
  walk(root)
  return out.sort()
}

// Compiles every WXML file of the project at `root` together (as DevTools does: templates and
// components refer to each other). Throws wcc's message, which names the file, line and column.
function compileWxml(root) {
  const files = filesOf(root, '.wxml')
  wcc(root, files.slice() /* it appends the components it finds */, filesOf(root, '.wxs').map(f => f + '.wxs'), { maxBuffer: 64 * 1024 * 1024 })
  return files
}

// Compiles every WXSS file; throws wcsc's message, which names the file, line and column.
function compileWxss(root) {
  const files = filesOf(root, '.wxss')
  const result = wcsc(root, files, { maxBuffer: 64 * 1024 * 1024 })
  if (result instanceof Error) throw result // this wrapper returns its error instead of throwing it
  return files
}

module.exports = { filesOf, compileWxml, compileWxss }
