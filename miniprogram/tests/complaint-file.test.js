// 我要反映问题: the filing page against the API's shapes (ComplaintIn, ComplaintOptionsOut, the
// photo upload contract), stubbing only wx.*.
const { FAIL, askPrivacy, installWx, apiError, bearer, waitFor, openPage, text, texts, tap, type } = require('./helpers')

const PAGE = 'pages/complaint-file/complaint-file'
const BASE = 'http://127.0.0.1:5000/api/v1'
const CODE = 'K3M9-7QX2-ABCDE'
const OPTIONS = { // GET /complaint-options, as app/domain/complaints/options.py makes it
  lanes: [
    { key: 'discipline', name: '村务和干部监督', categories: [
      { key: 'collective_assets', name: '三资管理' }, { key: 'subsidies', name: '补贴发放 / 低保' }] },
    { key: 'service', name: '生活服务和求助', categories: [
      { key: 'environment', name: '生态环境' }, { key: 'dispute', name: '矛盾纠纷' }] },
  ],
  about_roles: [
    { role: 'village_secretary', label: '村党组织书记', level: 'village' },
    { role: 'village_director', label: '村委会主任', level: 'village' },
    { role: 'township_leader', label: '镇领导', level: 'township' },
  ],
  description_min: 5,
  description_max: 1000,
}
const FILED = {
  id: 41, reference: 'TS-20260305-9F3A1C02BD', category: 'subsidies', category_name: '补贴发放 / 低保',
  status: 'assigned', lane: 'discipline', description: '', anonymous: false, handler: '镇纪委', events: [],
}
const DESCRIPTION = '低保名单里有村干部的亲戚，家里条件很好。'

let wx
let photoSeq

// Answers options, photo uploads (201 with a new id) and filings (`filing`, default 201).
function route({ filing, photo } = {}) {
  return opts => {
    if (opts.url.endsWith('/complaint-options')) return { statusCode: 200, data: OPTIONS }
    if (opts.url.endsWith('/complaint-photos')) {
      const custom = photo && photo(opts)
      if (custom) return custom
      photoSeq += 1
      return { statusCode: 201, data: { id: 500 + photoSeq, status: 'pending', width: 800, height: 600, bytes: 81234 } }
    }
    if (opts.url.endsWith(`/h/${CODE}/complaints`)) return filing ? filing(opts) : { statusCode: 201, data: FILED }
    throw new Error('unexpected request ' + opts.url)
  }
}

async function open(routeOptions, { options = { code: CODE }, templates } = {}) {
  ;({ wx } = installWx(route(routeOptions), { token: 'tok', templates }))
  const comp = openPage(PAGE, options)
  await waitFor(() => comp.data.status !== 'loading')
  return comp
}

const filings = () => wx.request.mock.calls.map(([o]) => o).filter(o => o.url.endsWith('/complaints'))

async function pickCategory(comp, name) {
  const index = texts(comp, '.category-chip').indexOf(name)
  expect(index).toBeGreaterThanOrEqual(0)
  await tap(comp, '.category-chip', index)
}

// wx.chooseMedia answers with these local files.
function photosChosen(paths) {
  wx.chooseMedia.mockImplementationOnce(opts => setTimeout(() => opts.success({
    type: 'image', tempFiles: paths.map(p => ({ tempFilePath: p, size: 1000, fileType: 'image' })),
  }), 0))
}

async function fillMinimal(comp) {
  await pickCategory(comp, '矛盾纠纷')
  await type(comp, '.description-input', '邻居家的围墙占了公共通道。')
}

beforeEach(() => {
  jest.resetModules()
  photoSeq = 0
})

test('builds the filing from the form: category, text, real name, role, place and photos', async () => {
  const comp = await open({}, { templates: [ // GET /subscribe-templates: the villager's two, and a cadre's
    { key: 'case_progress', template_id: 'TPL-ACCEPT', audience: 'villager' },
    { key: 'case_assigned', template_id: 'TPL-DUTY', audience: 'handler' },
    { key: 'case_replied', template_id: 'TPL-REPLY', audience: 'villager' },
  ] })
  await waitFor(() => wx.setStorageSync.mock.calls.some(([key]) => key === 'mingjing_subscribe_templates'))

  expect(texts(comp, '.lane-name')).toEqual(['村务和干部监督', '生活服务和求助'])
  expect(texts(comp, '.category-chip')).toEqual(['三资管理', '补贴发放 / 低保', '生态环境', '矛盾纠纷'])
  await pickCategory(comp, '补贴发放 / 低保')
  expect(texts(comp, '.chip-on')).toEqual(['补贴发放 / 低保'])

  await type(comp, '.description-input', '  ' + DESCRIPTION + '  ')
  expect(text(comp, '.msg-counter')).toBe(`已写 ${DESCRIPTION.length + 4} 字，最多 1000 字`)

  expect(comp.querySelector('.name-input')).toBeFalsy() // anonymous unless chosen otherwise
  await tap(comp, '.identity-real')
  await type(comp, '.name-input', ' 王秀英 ')
  await type(comp, '.phone-input', '13800000000')

  comp.querySelector('.about-picker').dispatchEvent('change', { detail: { value: '2' } })
  await waitFor(() => comp.data.aboutIndex === 2)
  expect(text(comp, '.msg-about')).toContain('村委会主任')

  wx.chooseLocation.mockImplementationOnce(opts => setTimeout(() => opts.success({
    name: '村口晒谷场', address: '东岭村', latitude: 30.2741, longitude: 120.1551 }), 0))
  await tap(comp, '.location-btn')
  await waitFor(() => comp.data.location)
  expect(text(comp, '.msg-location')).toBe('位置：村口晒谷场')

  photosChosen(['wxfile://tmp/a.jpg', 'wxfile://tmp/b.jpg'])
  await tap(comp, '.add-photo-btn')
  await waitFor(() => comp.data.photos.length === 2 && comp.data.photos.every(p => p.status === 'done'))
  expect(wx.chooseMedia.mock.calls[0][0]).toMatchObject({ count: 9, mediaType: ['image'] })
  const uploads = wx.uploadFile.mock.calls.map(([o]) => o)
  expect(uploads.map(o => [o.url, o.filePath, o.name, bearer(o)])).toEqual([
    [BASE + '/complaint-photos', 'wxfile://tmp/a.jpg', 'file', 'Bearer tok'],
    [BASE + '/complaint-photos', 'wxfile://tmp/b.jpg', 'file', 'Bearer tok'],
  ])

  comp.instance.onSubmit() // what a tap runs
  // asked for in the handler's synchronous part, before any await: WeChat refuses the dialog otherwise
  expect(wx.requestSubscribeMessage).toHaveBeenCalledTimes(1)
  expect(wx.requestSubscribeMessage.mock.calls[0][0].tmplIds).toEqual(['TPL-ACCEPT', 'TPL-REPLY'])
  expect(filings()).toHaveLength(0)
  await waitFor(() => comp.data.status === 'done')

  expect(filings()).toHaveLength(1)
  const filing = filings()[0]
  expect(filing.url).toBe(`${BASE}/h/${CODE}/complaints`)
  expect(filing.method).toBe('POST')
  expect(bearer(filing)).toBe('Bearer tok')
  expect(filing.data).toEqual({
    client_request_id: expect.stringMatching(/^[A-Za-z0-9_-]{8,64}$/),
    category: 'subsidies',
    description: DESCRIPTION,
    anonymous: false,
    contact_name: '王秀英',
    contact_phone: '13800000000',
    about_role: 'village_director',
    latitude: 30.2741,
    longitude: 120.1551,
    photo_ids: [501, 502],
  })

  // the reference, then the case's own page
  expect(text(comp, '.msg-reference')).toBe(FILED.reference)
  const modal = wx.showModal.mock.calls[0][0]
  expect(modal.content).toContain(FILED.reference)
  modal.complete()
  expect(wx.redirectTo).toHaveBeenCalledWith({ url: '/pages/my-complaint/my-complaint?id=41&filed=1' })
})

test('an anonymous filing without extras sends only what the villager gave; no templates, no dialog', async () => {
  const comp = await open({})
  await fillMinimal(comp)

  await tap(comp, '.submit-btn')
  await waitFor(() => comp.data.status === 'done')

  expect(wx.requestSubscribeMessage).not.toHaveBeenCalled() // the backend lists no templates
  expect(filings()[0].data).toEqual({
    client_request_id: expect.any(String), category: 'dispute', description: '邻居家的围墙占了公共通道。', anonymous: true,
  })
})

test('a retry after a lost answer, and a double tap, send the same client_request_id', async () => {
  let attempts = 0
  const comp = await open({ filing: () => (++attempts === 1 ? FAIL : { statusCode: 201, data: FILED }) })
  await fillMinimal(comp)

  comp.querySelector('.submit-btn').dispatchEvent('tap')
  comp.querySelector('.submit-btn').dispatchEvent('tap') // the impatient second tap
  await waitFor(() => comp.data.formError)
  expect(filings()).toHaveLength(1)
  expect(text(comp, '.msg-form-error')).toBe('网络连接失败，请检查网络后重试')
  expect(text(comp, '.submit-btn')).toBe('提交')

  await tap(comp, '.submit-btn')
  await waitFor(() => comp.data.status === 'done')

  const ids = filings().map(o => o.data.client_request_id)
  expect(ids).toHaveLength(2)
  expect(ids[1]).toBe(ids[0])

  // a new form is a new filing
  jest.resetModules()
  const next = await open({})
  await fillMinimal(next)
  await tap(next, '.submit-btn')
  await waitFor(() => next.data.status === 'done')
  expect(filings()[0].data.client_request_id).not.toBe(ids[0])
})

test('the server’s field errors appear under their fields', async () => {
  const comp = await open({
    filing: () => apiError(422, 'validation_error', '提交的内容有误，请检查后重试', {
      description: ['最多 1000 个字'], contact_phone: ['格式不正确'], latitude: ['应在 -90 到 90 之间'],
    }),
  })
  await fillMinimal(comp)
  await tap(comp, '.identity-real')
  await type(comp, '.name-input', '王秀英')
  await type(comp, '.phone-input', '12')

  await tap(comp, '.submit-btn')
  await waitFor(() => comp.data.formError)

  expect(text(comp, '.msg-form-error')).toBe('提交的内容有误，请检查后重试')
  expect(text(comp, '.err-description')).toBe('最多 1000 个字')
  expect(text(comp, '.err-contact-phone')).toBe('格式不正确')
  expect(text(comp, '.err-location')).toBe('应在 -90 到 90 之间')
  expect(comp.querySelector('.err-category')).toBeFalsy()

  // correcting a field clears its message
  await type(comp, '.phone-input', '13800000000')
  expect(comp.querySelector('.err-contact-phone')).toBeFalsy()
})

test('a domain error names its field too (实名 without a name, as the server says it)', async () => {
  const comp = await open({ filing: () => apiError(422, 'contact_name_required', '实名反映请填写姓名', { contact_name: ['必填'] }) })
  await fillMinimal(comp)
  await tap(comp, '.identity-real')
  await type(comp, '.name-input', '王') // the form is satisfied; the server has the last word

  await tap(comp, '.submit-btn')
  await waitFor(() => comp.data.formError)

  expect(text(comp, '.msg-form-error')).toBe('实名反映请填写姓名')
  expect(text(comp, '.err-contact-name')).toBe('必填')
})

test('what the form can see is checked before anything is sent or asked', async () => {
  const comp = await open({}, { templates: [{ key: 'case_progress', template_id: 'TPL-ACCEPT', audience: 'villager' }] })
  await tap(comp, '.identity-real')
  await type(comp, '.description-input', '太短')

  await tap(comp, '.submit-btn')

  expect(text(comp, '.err-category')).toBe('请选一个类别')
  expect(text(comp, '.err-description')).toBe('请至少写 5 个字，说清楚是什么事')
  expect(text(comp, '.err-contact-name')).toBe('留名反映请填写姓名')
  expect(filings()).toHaveLength(0)
  expect(wx.requestSubscribeMessage).not.toHaveBeenCalled()
})

test('no more than 9 photos can be added', async () => {
  const comp = await open({})
  await fillMinimal(comp)

  photosChosen([1, 2, 3, 4, 5, 6].map(n => `wxfile://tmp/${n}.jpg`))
  await tap(comp, '.add-photo-btn')
  await waitFor(() => comp.data.photos.length === 6)
  expect(text(comp, '.msg-photo-count')).toBe('已放 6 张，最多 9 张')

  // WeChat is asked for the 3 that fit; even if it hands back more, only 3 are taken
  photosChosen([7, 8, 9, 10, 11].map(n => `wxfile://tmp/${n}.jpg`))
  await tap(comp, '.add-photo-btn')
  await waitFor(() => comp.data.photos.length === 9)
  expect(wx.chooseMedia.mock.calls[1][0].count).toBe(3)
  expect(wx.showToast).toHaveBeenLastCalledWith(expect.objectContaining({ title: '最多 9 张，多出的 2 张没有放进来' }))

  expect(comp.querySelectorAll('.photo-item')).toHaveLength(9)
  expect(comp.querySelector('.add-photo-btn')).toBeFalsy()
  comp.instance.onAddPhotos() // however it is reached
  expect(wx.chooseMedia).toHaveBeenCalledTimes(2)
  expect(wx.showToast).toHaveBeenLastCalledWith(expect.objectContaining({ title: '最多只能放 9 张照片' }))

  await waitFor(() => comp.data.photos.every(p => p.status === 'done'))
  expect(wx.uploadFile).toHaveBeenCalledTimes(9)
  await tap(comp, '.remove-photo-btn', 0)
  expect(comp.querySelector('.add-photo-btn')).toBeTruthy()
  await tap(comp, '.submit-btn')
  await waitFor(() => comp.data.status === 'done')
  expect(filings()[0].data.photo_ids).toEqual([502, 503, 504, 505, 506, 507, 508, 509])
})

test('a photo that fails to upload is tried again at 提交; if it still fails nothing is filed', async () => {
  let failing = true
  const comp = await open({
    photo: opts => (opts.filePath.endsWith('bad.jpg') && failing
      ? apiError(413, 'payload_too_large', '提交的内容过大') : null),
  })
  await fillMinimal(comp)
  photosChosen(['wxfile://tmp/good.jpg', 'wxfile://tmp/bad.jpg'])
  await tap(comp, '.add-photo-btn')
  await waitFor(() => comp.data.photos.length === 2 && comp.data.photos.every(p => p.status !== 'uploading'))
  expect(comp.data.photos.map(p => p.status)).toEqual(['done', 'failed'])
  expect(text(comp, '.retry-photo-btn')).toBe('没传上，点此重试')

  await tap(comp, '.submit-btn')
  await waitFor(() => comp.data.formError)
  expect(text(comp, '.msg-form-error')).toBe('有 1 张照片没有传上去。请检查网络后再点「提交」，或者删掉这几张照片。')
  expect(text(comp, '.err-photos')).toBe('有照片没有传上去')
  expect(filings()).toHaveLength(0)
  expect(wx.uploadFile).toHaveBeenCalledTimes(3) // good, bad, bad again

  failing = false
  await tap(comp, '.submit-btn')
  await waitFor(() => comp.data.status === 'done')
  expect(filings()[0].data.photo_ids).toEqual([501, 502])
})

test('a replay of an earlier attempt that did file says so instead of filing again', async () => {
  const comp = await open({ filing: () => apiError(409, 'request_id_reused', '该请求编号已用于另一条反映') })
  await fillMinimal(comp)

  await tap(comp, '.submit-btn')
  await waitFor(() => comp.data.formError)

  expect(text(comp, '.msg-form-error')).toContain('您刚才已经提交成功了')
  expect(comp.querySelector('.submit-btn')).toBeFalsy()
  await tap(comp, '.mine-btn')
  expect(wx.redirectTo).toHaveBeenCalledWith({ url: '/pages/my-complaints/my-complaints' })
})

test('the door comes from the scanned QR or the one remembered; without one the page says what to do', async () => {
  const comp = await open({}, { options: { q: encodeURIComponent(`https://mingjing.example.cn/h/${CODE}`) } })
  expect(comp.data.status).toBe('ready')
  expect(wx.setStorageSync).toHaveBeenCalledWith('mingjing_household_code', CODE)

  jest.resetModules()
  ;({ wx } = installWx(route(), { token: 'tok' }))
  const none = openPage(PAGE, {})
  expect(none.data.status).toBe('noCode')
  expect(text(none, '.msg-no-code')).toContain('扫自家门上的二维码')
  expect(wx.request).not.toHaveBeenCalled()
})

test('the privacy panel (photos, location) agrees through the button WeChat requires', async () => {
  const comp = await open({})
  const resolve = askPrivacy(comp, 'chooseMedia')
  expect(comp.querySelector('#agree-privacy')).toBeTruthy()

  comp.querySelector('.agree-privacy-btn').dispatchEvent('agreeprivacyauthorization')
  await waitFor(() => !comp.data.privacyVisible)
  expect(resolve).toHaveBeenLastCalledWith({ event: 'agree', buttonId: 'agree-privacy' })
  expect(comp.querySelector('.privacy-mask')).toBeFalsy()
  delete global.getCurrentPages
})
