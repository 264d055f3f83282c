// The backend's OpenAPI document, as the tests see it: where it is, how it is made, and checking a
// fixture body against the response schema of one operation and status.
//
// The document is exported by the backend (`scripts/flask openapi export <path>`, app/cli/openapi.py)
// to MINGJING_OPENAPI_JSON, by default tests/.openapi.json (gitignored). scripts/test exports it
// before jest runs; tests/global-setup.js exports it when it is missing or older than the backend's
// code, so `npx jest` alone works too.
const fs = require('fs')
const path = require('path')

const REPO = path.resolve(__dirname, '..', '..')
const API_PREFIX = '/api/v1' // config.API_BASE_URL ends with it; the mini-program's paths are below it

function documentPath() {
  return path.resolve(process.env.MINGJING_OPENAPI_JSON || path.join(__dirname, '.openapi.json'))
}

const SCHEMA_ID = 'https://mingjing.invalid/components/schemas/'

// A copy of an OpenAPI schema whose component references are Ajv schema ids.
//
// Only the fields a schema declares `required` must be there: the API leaves some fields out by
// design (HandlerComplaintOut's complainant fields for a copy or an anonymous case), and the
// document does not say which others it always sends. Unknown fields always fail
// (additionalProperties: false in every response schema), so a renamed or removed field is caught.
function withSchemaIds(schema) {
  if (Array.isArray(schema)) return schema.map(withSchemaIds)
  if (!schema || typeof schema !== 'object') return schema
  const out = {}
  for (const [key, value] of Object.entries(schema)) {
    out[key] = key === '$ref' && typeof value === 'string' ? value.replace('#/components/schemas/', SCHEMA_ID)
      : withSchemaIds(value)
  }
  return out
}

let cached = null // { document, ajv, validators }

function load() {
  if (cached) return cached
  const file = documentPath()
  if (!fs.existsSync(file)) {
    throw new Error(`No OpenAPI document at ${file}: run the tests with scripts/test or npx jest ` +
      '(its globalSetup exports it), or scripts/flask openapi export ' + file)
  }
  const document = JSON.parse(fs.readFileSync(file, 'utf8'))
  const Ajv = require('ajv')
  const addFormats = require('ajv-formats')
  // OpenAPI 3.0 schemas are JSON Schema plus a few keywords (nullable, readOnly, writeOnly, example,
  // format binary): Ajv knows `nullable`; the annotations are allowed as keywords of their own.
  const ajv = new Ajv({ allErrors: true, strict: true, validateSchema: false })
  addFormats(ajv)
  ajv.addFormat('binary', true)
  ajv.addKeyword({ keyword: 'example' })
  // Each component schema is a schema of its own; `#/components/schemas/X` refers to it by id.
  for (const [name, schema] of Object.entries((document.components || {}).schemas || {})) {
    ajv.addSchema(withSchemaIds(schema), SCHEMA_ID + name)
  }
  cached = { document, ajv, validators: {} }
  return cached
}

// '/me/complaints/41' or '/me/complaints/{complaint_id}' (below /api/v1) → the document's path key.
// A literal path is matched to its template; a path that is literal in the document wins over a
// template that also matches it (e.g. /complaint-photos/held).
function findPath(document, pathOrTemplate) {
  const full = pathOrTemplate.startsWith(API_PREFIX + '/') ? pathOrTemplate : API_PREFIX + pathOrTemplate
  if (document.paths[full]) return full
  const matches = Object.keys(document.paths).filter(key => {
    if (!key.startsWith(API_PREFIX + '/')) return false
    const re = new RegExp('^' + key.split(/\{[^}]+\}/).map(escapeRe).join('[^/]+') + '$')
    return re.test(full)
  })
  matches.sort((a, b) => params(a) - params(b))
  return matches[0] || null
}

const escapeRe = s => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&')
const params = key => (key.match(/\{/g) || []).length

// The operation {path, method, operation} for METHOD and a path below /api/v1, or null.
function operation(method, pathOrTemplate) {
  const { document } = load()
  const key = findPath(document, pathOrTemplate.split('?')[0])
  const op = key && document.paths[key][method.toLowerCase()]
  return op ? { path: key, method: method.toLowerCase(), operation: op } : null
}

// Throws a readable error unless `body` is what the operation answers with `statusCode`.
//
// An error answer (4xx/5xx) must be the one Error shape; its status is not checked against the
// operation, because the document declares only the generic error statuses (400/401/403/404/422)
// while endpoints also answer e.g. 409 (case_changed), 413 and 429: their codes are listed in the
// operation's description only. A success status must be one the operation declares.
function checkAnswer(method, pathOrTemplate, statusCode, body) {
  const what = `${method.toUpperCase()} ${pathOrTemplate} → ${statusCode}`
  const found = operation(method, pathOrTemplate)
  if (!found) throw new Error(`Fixture for ${what}: the API has no such operation (OpenAPI document ${documentPath()})`)
  const responses = found.operation.responses || {}
  if (statusCode >= 400 && !responses[String(statusCode)]) {
    try {
      checkError(body)
    } catch (err) {
      throw new Error(`Fixture for ${what}: ` + err.message)
    }
    return
  }
  const response = responses[String(statusCode)]
  if (!response) {
    throw new Error(`Fixture for ${what}: ${found.method.toUpperCase()} ${found.path} does not answer ${statusCode}` +
      ` (documented: ${Object.keys(responses).join(', ')})`)
  }
  const json = response.content && response.content['application/json']
  if (!json) {
    if (body !== undefined && body !== null && body !== '') {
      throw new Error(`Fixture for ${what}: this answer has no JSON body, but the fixture gives one`)
    }
    return
  }
  const key = `${found.method} ${found.path} ${statusCode}`
  const { ajv, validators } = load()
  const validate = validators[key] || (validators[key] = ajv.compile(withSchemaIds(json.schema)))
  if (validate(body)) return
  const schema = json.schema && json.schema.$ref ? json.schema.$ref.replace('#/components/schemas/', '') : 'its schema'
  const problems = validate.errors.map(e => {
    const where = e.instancePath || '(the body)'
    const extra = e.params && e.params.additionalProperty ? `: "${e.params.additionalProperty}"` : ''
    return `  ${where} ${e.message}${extra}`
  })
  throw new Error(`Fixture for ${what} does not match ${schema} in the OpenAPI document:\n` +
    problems.join('\n') + '\nfixture: ' + JSON.stringify(body).slice(0, 400))
}

// Throws unless `body` is the API's one error shape (components/schemas/Error).
function checkError(body) {
  const { ajv, validators } = load()
  const validate = validators.Error || (validators.Error = ajv.getSchema(SCHEMA_ID + 'Error'))
  if (validate(body)) return
  throw new Error('Error fixture does not match the API\'s Error schema:\n' +
    validate.errors.map(e => `  ${e.instancePath || '(the body)'} ${e.message}`).join('\n'))
}

module.exports = { REPO, API_PREFIX, documentPath, load, operation, findPath, checkAnswer, checkError }
