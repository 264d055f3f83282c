// The page skeleton (behaviors/page-load.js + components/page-state): loading, error with 重试,
// empty state, pull-down refresh, and only the latest answer counting.
const path = require('path')
const { installWx, waitFor, text, loaded, pageState } = require('./helpers')

const ROOT = path.resolve(__dirname, '..')
let wx
let simulate

// A page built like the real ones: `load` is given, the behavior does the rest.
function openTestPage(load, { isEmpty, options = { id: '7' } } = {}) {
  ;({ wx } = installWx(() => ({ statusCode: 500, data: '' })))
  simulate = require('miniprogram-simulate')
  const pageLoad = require('../behaviors/page-load')
  const pageState = simulate.load(path.join(ROOT, 'components/page-state/page-state'), { rootPath: ROOT })
  const methods = { load }
  if (isEmpty) methods.isEmpty = isEmpty
  const id = simulate.load({
    template: `<page-state class="state" view="{{view}}" empty-text="没有东西" bind:retry="retry" />
      <view wx:if="{{!view.loading && !view.error}}" class="content">{{items.length}} 条</view>`,
    usingComponents: { 'page-state': pageState },
    behaviors: [pageLoad],
    data: { items: [] },
    methods,
  })
  const comp = simulate.render(id)
  comp.attach(document.createElement('parent-wrapper'))
  comp.instance.onLoad(options)
  return comp
}

const state = pageState
const settled = loaded

beforeEach(() => {
  jest.resetModules()
})

test('shows 正在加载… then the content; load gets the onLoad options', async () => {
  let release
  const load = jest.fn(() => new Promise(resolve => { release = resolve }))
  const comp = openTestPage(load)
  expect(comp.data.view).toEqual({ loading: true, error: '', empty: false })
  expect(text(state(comp), '.state-loading')).toBe('正在加载…')
  expect(comp.querySelector('.content')).toBeFalsy()

  release({ items: [1, 2] })
  await settled(comp)
  expect(load).toHaveBeenCalledWith({ id: '7' })
  expect(comp.data.view).toEqual({ loading: false, error: '', empty: false })
  expect(text(comp, '.content')).toBe('2 条')
  expect(state(comp).querySelector('.state-loading')).toBeFalsy()
})

test('an error shows its message and 重试, which loads again with the same options', async () => {
  const { ApiError } = require('../utils/errors')
  const load = jest.fn()
    .mockRejectedValueOnce(new ApiError({ status: 0, code: 'network_error', message: '网络连接失败，请检查网络后重试' }))
    .mockResolvedValueOnce({ items: [1] })
  const comp = openTestPage(load)
  await settled(comp)
  expect(comp.data.view).toEqual({ loading: false, error: '网络连接失败，请检查网络后重试', empty: false })
  expect(text(state(comp), '.msg-error')).toBe('网络连接失败，请检查网络后重试')
  expect(comp.querySelector('.content')).toBeFalsy()

  state(comp).querySelector('.retry-btn').dispatchEvent('tap')
  await waitFor(() => load.mock.calls.length === 2)
  await settled(comp)
  expect(load.mock.calls[1][0]).toEqual({ id: '7' })
  expect(text(comp, '.content')).toBe('1 条')
  expect(state(comp).querySelector('.msg-error')).toBeFalsy()
})

test('isEmpty decides the empty state and its text comes from the page', async () => {
  const comp = openTestPage(() => Promise.resolve({ items: [] }), { isEmpty: data => !data.items.length })
  await settled(comp)
  expect(comp.data.view.empty).toBe(true)
  expect(text(state(comp), '.msg-empty')).toBe('没有东西')
})

test('without isEmpty nothing is ever empty', async () => {
  const comp = openTestPage(() => Promise.resolve({ items: [] }))
  await settled(comp)
  expect(comp.data.view.empty).toBe(false)
  expect(state(comp).querySelector('.msg-empty')).toBeFalsy()
})

test('pull-down refresh keeps the content, reloads, then stops the spinner; a failure is a toast', async () => {
  const { ApiError } = require('../utils/errors')
  const load = jest.fn()
    .mockResolvedValueOnce({ items: [1] })
    .mockResolvedValueOnce({ items: [1, 2, 3] })
    .mockRejectedValueOnce(new ApiError({ status: 503, code: 'server_error', message: '服务暂时不可用' }))
  const comp = openTestPage(load)
  await settled(comp)

  const refreshed = comp.instance.onPullDownRefresh()
  expect(comp.data.view.loading).toBe(false) // the content stays while WeChat shows its own spinner
  await refreshed
  expect(text(comp, '.content')).toBe('3 条')
  expect(wx.stopPullDownRefresh).toHaveBeenCalledTimes(1)

  await comp.instance.onPullDownRefresh()
  expect(text(comp, '.content')).toBe('3 条')
  expect(comp.data.view.error).toBe('')
  expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '服务暂时不可用' }))
  expect(wx.stopPullDownRefresh).toHaveBeenCalledTimes(2)
})

test('only the latest load counts', async () => {
  const answers = []
  const comp = openTestPage(() => new Promise(resolve => answers.push(resolve)))
  comp.instance.reload()
  answers[1]({ items: [1, 2] })
  await waitFor(() => comp.data.items.length === 2)
  answers[0]({ items: [1] }) // the first answer arrives last: dropped
  await new Promise(resolve => setTimeout(resolve, 10))
  expect(comp.data.items).toHaveLength(2)
})

test('a bug in load is shown as a generic message, not as its JS text', async () => {
  const spy = jest.spyOn(console, 'error').mockImplementation(() => {})
  const comp = openTestPage(() => { throw new TypeError('x is undefined') })
  await settled(comp)
  expect(comp.data.view.error).toBe('操作失败，请稍后重试')
  expect(spy).toHaveBeenCalled()
  spy.mockRestore()
})
