// Complaint photos on the villager's case page (pages/my-complaint) and the office's (pages/inbox-case):
// each image comes from the authorized GET /complaint-photos/<id>/image, downloaded with the bearer
// token (an <image> src cannot carry it) through the request wrapper, and opens full screen on tap.
// Every fixture goes through apiAnswer (JSON) or the file double's check (tests/wx-files.js).
const { FAIL, installWx, apiAnswer, waitFor, openPage, bearer, isLogin, session, tap } = require('./helpers')
const { installFiles, saved } = require('./wx-files')

const BASE = 'http://127.0.0.1:5000/api/v1'

const photo = (id, status = 'cleared') => ({ // CasePhotoOut
  id, status, width: 1280, height: 960, bytes: 180000, url: `/api/v1/complaint-photos/${id}/image`,
})

const EVENTS = [{ kind: 'filed', to_status: 'assigned', actor_label: '村民', public_note: '已提交，转村委会主任办理',
  created_at: '2026-03-05T09:30:00+08:00' }]

function mine(photos) { // ComplaintOut: the filer's own case
  return {
    id: 41, reference: 'TS-20260305-9F3A1C02BD', category: 'dispute', category_name: '矛盾纠纷', status: 'signed',
    resolution: null, filed_at: '2026-03-05T09:30:00+08:00', closed_at: null, lane: 'service',
    description: '邻居家的围墙占了公共通道，多次协商无果。', anonymous: true, handler: '村委会主任',
    held_for_review: false, reopen_count: 0, rating: null, clock_step: 'handle', due_at: '2026-03-13T09:00:00+08:00',
    escalation_level: 0, events: EVENTS, photos,
  }
}

function handled(photos) { // HandlerComplaintOut: the handling office's view
  return Object.assign(mine(photos), {
    events: EVENTS.map(e => Object.assign({ internal_note: null }, e)),
    anonymous: false, village_id: 5, household_id: 3, contact_name: '王秀英', contact_phone: '13800000000', about_role: null,
    routing_fallback: false, latitude: null, longitude: null, handling: true, merged_into_id: null, public_summary: null,
  })
}

let wx
const photosBox = comp => comp.querySelector('.photos-box')
const downloads = () => wx.downloadFile.mock.calls.map(([o]) => o)

function open(page, options, route, files, token = 'tok') {
  ;({ wx } = installWx(route, { token }))
  installFiles(files)
  return openPage(page, options)
}

beforeEach(() => {
  jest.resetModules()
})

test('the villager’s case page: own photos downloaded with the token, tap to enlarge; being checked and refused said', async () => {
  const comp = open('pages/my-complaint/my-complaint', { id: '41' },
    () => apiAnswer('GET', '/me/complaints/{complaint_id}', 200, mine([photo(7), photo(8, 'pending'), photo(9, 'refused')])),
    opts => saved(`wxfile://tmp/photo-${opts.url.match(/(\d+)\/image$/)[1]}.jpg`))
  await waitFor(() => !comp.data.view.loading && photosBox(comp).data.items.filter(i => i.path).length === 2)

  expect(downloads().map(o => [o.url, o.header.Authorization])).toEqual([
    [`${BASE}/complaint-photos/7/image`, 'Bearer tok'],
    [`${BASE}/complaint-photos/8/image`, 'Bearer tok'],
  ]) // the refused one is gone: not even asked for
  const box = photosBox(comp)
  expect(box.querySelectorAll('.photo-cell')).toHaveLength(3)
  expect(box.querySelectorAll('.photo-status').map(n => n.dom.textContent)).toEqual(['正在审核'])
  expect(box.querySelector('.photo-refused').dom.textContent).toBe('未通过审核，已删除')

  await tap(box, '.photo-cell', 1)
  expect(wx.previewImage).toHaveBeenCalledWith({
    current: 'wxfile://tmp/photo-8.jpg', urls: ['wxfile://tmp/photo-7.jpg', 'wxfile://tmp/photo-8.jpg'],
  })
  await tap(box, '.photo-cell', 2) // refused: nothing to show
  expect(wx.previewImage).toHaveBeenCalledTimes(1)
})

test('the office’s case page: the cleared photos, enlarged on tap; a failed download can be tried again', async () => {
  let down = true
  const comp = open('pages/inbox-case/inbox-case', { id: '41' },
    () => apiAnswer('GET', '/complaints/{complaint_id}', 200, handled([photo(7), photo(8)])),
    opts => (down && opts.url.endsWith('/8/image') ? FAIL : saved(`wxfile://tmp/${opts.url.match(/(\d+)\/image$/)[1]}.jpg`)),
    'cadre-tok')
  await waitFor(() => !comp.data.view.loading && photosBox(comp).data.items.some(i => i.failed))

  const box = photosBox(comp)
  expect(downloads().every(o => o.header.Authorization === 'Bearer cadre-tok')).toBe(true)
  expect(box.querySelector('.photo-failed').dom.textContent).toBe('没加载出来，点一下再试')
  await tap(box, '.photo-cell', 0)
  expect(wx.previewImage).toHaveBeenLastCalledWith({ current: 'wxfile://tmp/7.jpg', urls: ['wxfile://tmp/7.jpg'] })

  down = false
  await tap(box, '.photo-cell', 1) // 点一下再试
  await waitFor(() => photosBox(comp).data.items[1].path === 'wxfile://tmp/8.jpg')
  await tap(photosBox(comp), '.photo-cell', 1)
  expect(wx.previewImage).toHaveBeenLastCalledWith({
    current: 'wxfile://tmp/8.jpg', urls: ['wxfile://tmp/7.jpg', 'wxfile://tmp/8.jpg'],
  })
})

test('an expired session on a photo logs in again once, like every request', async () => {
  const comp = open('pages/my-complaint/my-complaint', { id: '41' }, opts => (isLogin(opts)
    ? session('fresh-tok')
    : apiAnswer('GET', '/me/complaints/{complaint_id}', 200, mine([photo(7)]))),
  opts => (opts.header.Authorization === 'Bearer fresh-tok' ? saved('wxfile://tmp/7.jpg') : saved('', 401, 'token_expired')),
  'old-tok')
  await waitFor(() => !comp.data.view.loading && photosBox(comp).data.items[0].path)
  expect(downloads().map(o => o.header.Authorization)).toEqual(['Bearer old-tok', 'Bearer fresh-tok'])
  expect(wx.request.mock.calls.filter(([o]) => isLogin(o))).toHaveLength(1)
  expect(bearer(downloads()[1])).toBe('Bearer fresh-tok')
})
