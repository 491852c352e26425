import { OffsetError } from './offset-error.js'

declare const recordOffsetBrand: unique symbol
declare const commitOffsetBrand: unique symbol

/** The offset OF a record (what a message carries). */
export type RecordOffset = bigint & {
  /** Compile-time brand only (absent at runtime): a record offset is not a commit offset. */
  readonly [recordOffsetBrand]: true
}

/**
 * The offset a consumer group COMMITS: the next offset to read. Kafka resumes a partition at the
 * committed offset, so committing a record's own offset replays that record after every restart.
 */
export type CommitOffset = bigint & {
  /** Compile-time brand only (absent at runtime): a commit offset is not a record offset. */
  readonly [commitOffsetBrand]: true
}

/** Kafka offsets are int64; nothing above this is a real offset. */
const MAX_OFFSET = 2n ** 63n - 1n
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)
const DECIMAL = /^(?:0|[1-9][0-9]*)$/

function checked(value: bigint, original: unknown): bigint {
  if (value < 0n) throw new OffsetError(original, 'offsets are non-negative (sentinels like -1 and -1001 mean "none"; map them before converting)')
  if (value > MAX_OFFSET) throw new OffsetError(original, 'exceeds the int64 range of Kafka offsets')
  return value
}

/**
 * The value of a decimal string of at most 15 digits without sign or leading zeros (always a safe
 * integer), or -1. Per record on the hot path: several times cheaper than BigInt(string) or
 * Number(string), which is where an adapter's per-record time went.
 */
export function smallDecimal(value: string): number {
  const length = value.length
  if (length === 0 || length > 15 || (length > 1 && value.charCodeAt(0) === 48)) return -1
  let result = 0
  for (let i = 0; i < length; i++) {
    const digit = value.charCodeAt(i) - 48
    if (digit < 0 || digit > 9) return -1
    result = result * 10 + digit
  }
  return result
}

function fromString(value: string): bigint {
  if (typeof value === 'string') {
    const small = smallDecimal(value)
    if (small >= 0) return BigInt(small)
  }
  if (typeof value !== 'string' || !DECIMAL.test(value)) {
    throw new OffsetError(value, 'expected a decimal string of digits without sign, spaces or leading zeros')
  }
  return checked(BigInt(value), value)
}

function fromNumber(value: number): bigint {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new OffsetError(value, 'expected a safe integer (node-rdkafka numbers beyond 2^53 lose precision)')
  }
  return checked(BigInt(value), value)
}

function fromBigInt(value: bigint): bigint {
  if (typeof value !== 'bigint') throw new OffsetError(value, 'expected a bigint')
  return checked(value, value)
}

function toNumber(value: bigint): number {
  if (value > MAX_SAFE) throw new OffsetError(value, 'is not a safe integer and cannot cross into a number-based client exactly')
  return Number(value)
}

/** kafkajs and the confluent KafkaJS API hand out decimal strings. */
export function offsetFromString(value: string): RecordOffset {
  return fromString(value) as RecordOffset
}

/** node-rdkafka and the confluent rdkafka API hand out numbers. */
export function offsetFromNumber(value: number): RecordOffset {
  return fromNumber(value) as RecordOffset
}

/**
 * A record offset from a bigint.
 *
 * @throws {@link OffsetError} (`INVALID_OFFSET`) when it is negative or above int64.
 */
export function offsetFromBigInt(value: bigint): RecordOffset {
  return fromBigInt(value) as RecordOffset
}

/** For positions and committed offsets read from a client (already "next to read"). */
export function commitOffsetFromString(value: string): CommitOffset {
  return fromString(value) as CommitOffset
}

/**
 * A commit offset (already "next to read") from a client's number.
 *
 * @throws {@link OffsetError} (`INVALID_OFFSET`) when it is not a safe non-negative integer.
 */
export function commitOffsetFromNumber(value: number): CommitOffset {
  return fromNumber(value) as CommitOffset
}

/**
 * A commit offset (already "next to read") from a bigint.
 *
 * @throws {@link OffsetError} (`INVALID_OFFSET`) when it is negative or above int64.
 */
export function commitOffsetFromBigInt(value: bigint): CommitOffset {
  return fromBigInt(value) as CommitOffset
}

/** A commit offset as a decimal string, for clients that take strings (kafkajs, confluent). */
export function commitOffsetToString(offset: CommitOffset): string {
  return offset.toString()
}

/**
 * rdkafka's native layer reads a non-number offset as 0 without complaint, so crossing into it
 * must be a real number, and an exact one.
 */
export function commitOffsetToNumber(offset: CommitOffset): number {
  return toNumber(offset)
}

/** A record offset as a decimal string. */
export function recordOffsetToString(offset: RecordOffset): string {
  return offset.toString()
}

/**
 * A record offset as a number, for clients that take numbers.
 *
 * @throws {@link OffsetError} (`INVALID_OFFSET`) when it is above `Number.MAX_SAFE_INTEGER`.
 */
export function recordOffsetToNumber(offset: RecordOffset): number {
  return toNumber(offset)
}

/**
 * THE "+1": the commit offset that means "this record is processed, continue after it".
 * This is the only place in offsetkit where a record offset becomes a larger commit offset.
 */
export function nextOffsetAfter(offset: RecordOffset): CommitOffset {
  return (offset + 1n) as CommitOffset
}

/** The commit offset that resumes AT this record (it is not processed yet, so it is re-read). */
export function resumeAt(offset: RecordOffset): CommitOffset {
  return offset as bigint as CommitOffset
}

/**
 * The inverse of `nextOffsetAfter`: the last record a commit offset covers, for clients that
 * take "processed" offsets (kafkajs `resolveOffset`). Undefined for 0: nothing is covered.
 */
export function lastOffsetBefore(offset: CommitOffset): RecordOffset | undefined {
  return offset === 0n ? undefined : ((offset - 1n) as RecordOffset)
}
