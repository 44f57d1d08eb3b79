/**
 * JavaScript that runs inside each world's QuickJS context before the world's script: it builds
 * the world-sdk API (entities, rules, players, emit, log) out of plain data and turns every effect
 * into an intent. Nothing from the host is reachable from the sandbox: the host hands in JSON
 * strings and takes a JSON string back, and checks that string's size and shape itself, so a
 * script that tampers with this API can only spoil its own intents.
 *
 * The prelude evaluates to `{ init, define, run, drain }`; the host keeps handles to these
 * functions, so a script that replaces globals cannot redirect the host's calls.
 */
export const SANDBOX_PRELUDE = String.raw`(function () {
  'use strict'
  const parse = JSON.parse, stringify = JSON.stringify, freeze = Object.freeze, keys = Object.keys
  const isArray = Array.isArray, toText = String, isFiniteNumber = Number.isFinite
  const HOOKS = ['setup', 'tick', 'playerJoin', 'playerLeave', 'onEvent']
  const MAX_LOG = 1000
  let definition = null, hooks = null, api = null, maxEntities = 0
  let intents = [], logs = [], failure = null, time = 0, nextId = 1, players = []
  let entities = Object.create(null), entityCount = 0
  // Entities the world's document already held when setup ran (a host that took over): spawning one again updates it in place.
  let restored = Object.create(null)

  const push = (list, item) => { list[list.length] = item }
  const clone = (value) => value === undefined ? null : parse(stringify(value))
  const deepFreeze = (value) => {
    if (value !== null && typeof value === 'object') {
      for (const k of keys(value)) deepFreeze(value[k])
      freeze(value)
    }
    return value
  }
  const numbers = (value, length, fallback, what) => {
    if (value === undefined && fallback !== undefined) return fallback.slice()
    if (!isArray(value) || value.length !== length) throw new TypeError(what + ' must be an array of ' + length + ' numbers')
    const out = []
    for (let i = 0; i < length; i++) {
      const n = value[i]
      if (typeof n !== 'number' || !isFiniteNumber(n)) throw new TypeError(what + ' must hold finite numbers')
      out[i] = n
    }
    return out
  }
  const vec = (v, fallback) => numbers(v, 3, fallback, 'A position')
  const quat = (q, fallback) => numbers(q, 4, fallback, 'A rotation')
  const copy = (e) => ({ id: e.id, kind: e.kind, position: e.position.slice(), rotation: e.rotation.slice(), data: clone(e.data) })
  const need = (id) => {
    const e = entities[toText(id)]
    if (e === undefined) throw new RangeError('There is no entity "' + toText(id) + '" in this world.')
    return e
  }
  const text = (args) => {
    let out = ''
    for (let i = 0; i < args.length; i++) {
      const a = args[i]
      let s
      try { s = typeof a === 'string' ? a : typeof a === 'object' && a !== null ? stringify(a) : toText(a) } catch (e) { s = '[unprintable]' }
      out += (i === 0 ? '' : ' ') + s
      if (out.length > MAX_LOG) return out.slice(0, MAX_LOG)
    }
    return out
  }

  const entityApi = freeze({
    spawn (init) {
      if (init === null || typeof init !== 'object') throw new TypeError('entities.spawn takes { kind, position?, rotation?, data?, id? }.')
      const id = init.id === undefined ? 'e' + nextId++ : toText(init.id)
      const again = restored[id] === true
      if (entities[id] !== undefined && !again) throw new RangeError('An entity "' + id + '" exists already.')
      if (!again && entityCount >= maxEntities) throw new RangeError('This world allows ' + maxEntities + ' entities (rules.limits.entities).')
      delete restored[id]
      const e = { id, kind: toText(init.kind), position: vec(init.position, [0, 0, 0]), rotation: quat(init.rotation, [0, 0, 0, 1]), data: init.data === undefined ? {} : clone(init.data) }
      if (!again) entityCount++
      entities[id] = e
      push(intents, { type: 'spawn', entity: copy(e) })
      return id
    },
    move (id, position, rotation) {
      const e = need(id)
      e.position = vec(position)
      const intent = { type: 'move', id: e.id, position: e.position.slice() }
      if (rotation !== undefined) { e.rotation = quat(rotation); intent.rotation = e.rotation.slice() }
      push(intents, intent)
    },
    update (id, data) {
      const e = need(id)
      const d = clone(data)
      if (d === null || typeof d !== 'object' || isArray(d)) throw new TypeError('entities.update takes an object of data.')
      for (const k of keys(d)) e.data[k] = d[k]
      push(intents, { type: 'update', id: e.id, data: d })
    },
    remove (id) {
      const e = need(id)
      delete entities[e.id]
      delete restored[e.id]
      entityCount--
      push(intents, { type: 'remove', id: e.id })
    },
    get (id) {
      const e = entities[toText(id)]
      return e === undefined ? undefined : copy(e)
    },
    list () {
      const out = []
      for (const id of keys(entities)) push(out, copy(entities[id]))
      return out
    }
  })

  return {
    init (json) {
      const config = parse(json)
      maxEntities = config.maxEntities
      const rules = deepFreeze(config.rules)
      api = freeze({
        id: config.id,
        rules,
        entities: entityApi,
        players () { return clone(players) },
        emit (name, data) { push(intents, { type: 'emit', name: toText(name), data: clone(data) }) },
        submitTask (name, task) { push(intents, { type: 'task', name: toText(name), task: clone(task) }) },
        log (...args) { if (logs.length < 64) push(logs, { level: 'info', message: text(args) }) },
        time () { return time }
      })
    },
    define (namespace) {
      const d = namespace.default !== null && typeof namespace.default === 'object' ? namespace.default : namespace
      const found = {}
      for (const hook of HOOKS) {
        const fn = d[hook]
        if (fn === undefined) continue
        if (typeof fn !== 'function') throw new TypeError('The world script\'s ' + hook + ' must be a function.')
        found[hook] = fn
      }
      definition = d
      hooks = found
    },
    run (hook, json) {
      const arg = parse(json)
      if (arg.players !== undefined) players = arg.players
      if (arg.entities !== undefined) {
        for (const e of arg.entities) {
          if (entities[e.id] === undefined) entityCount++
          entities[e.id] = e
          if (hook === 'setup') restored[e.id] = true
        }
      }
      if (hook === 'tick') time += arg.dt
      const fn = hooks[hook]
      if (fn === undefined) return
      const result = hook === 'setup' ? fn.call(definition, api) : fn.call(definition, api, hook === 'tick' ? arg.dt : arg.value)
      if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
        result.then(undefined, (err) => { failure = err === undefined ? new Error('rejected') : err })
      }
    },
    drain () {
      if (failure !== null) { const f = failure; failure = null; throw f }
      const out = stringify({ intents, logs })
      intents = []
      logs = []
      return out
    }
  }
})()`

/** The source of the only module a world script may import: `@peercompute/world-sdk`. */
export const SDK_MODULE_NAME = '@peercompute/world-sdk'
export const SDK_MODULE_SOURCE = 'export function defineWorld (script) { return script }\n'
