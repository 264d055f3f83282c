// jest globalSetup: make sure the OpenAPI document the fixtures are checked against exists and is
// not older than the backend's code (scripts/test exports it before jest; this covers `npx jest`).
const fs = require('fs')
const path = require('path')
const { spawnSync } = require('child_process')
const { REPO, documentPath } = require('./openapi')

function newestMtime(dir) {
  let newest = 0
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full))
    else if (entry.name.endsWith('.py')) newest = Math.max(newest, fs.statSync(full).mtimeMs)
  }
  return newest
}

module.exports = async function globalSetup() {
  const file = documentPath()
  const fresh = fs.existsSync(file) && fs.statSync(file).mtimeMs >= newestMtime(path.join(REPO, 'app'))
  if (fresh) return
  const flask = path.join(REPO, 'scripts', 'flask')
  process.stderr.write(`\nExporting the OpenAPI document: scripts/flask openapi export ${file}\n`)
  const run = spawnSync(flask, ['openapi', 'export', file], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  if (run.status !== 0) {
    throw new Error(`scripts/flask openapi export failed (exit ${run.status}); the fixtures cannot be checked.\n` +
      (run.error ? String(run.error) + '\n' : '') + (run.stderr || '') + (run.stdout || ''))
  }
}
