import * as assert from 'assert';
import * as zlib from 'zlib';
import { memorySource } from '../../../src/data/byteSource';
import { parseNpz } from '../../../src/data/npz';
import { listZip, streamZipEntry, type ZipEntry } from '../../../src/data/zip';
import { InputError } from '../../../src/shared/dataset';
import { bytesOf, cases, expectError, plain } from './fixtures';

/**
 * Builds a zip by hand, following APPNOTE.TXT: local headers, central directory, and optionally
 * the ZIP64 end records with 0xFFFFFFFF placeholders in the classic fields.
 */
function makeZip(members: { name: string; data: Uint8Array; deflate?: boolean }[], zip64: boolean): Uint8Array {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const body = m.deflate ? zlib.deflateRawSync(m.data) : Buffer.from(m.data);
    const name = Buffer.from(m.name);
    const crc = zlib.crc32(m.data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(m.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(m.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    parts.push(local, name, body);
    const extra = Buffer.alloc(zip64 ? 28 : 0);
    if (zip64) {
      extra.writeUInt16LE(1, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(m.data.length), 4);
      extra.writeBigUInt64LE(BigInt(body.length), 12);
      extra.writeBigUInt64LE(BigInt(offset), 20);
    }
    const cen = Buffer.alloc(46);
    cen.writeUInt32LE(0x02014b50, 0);
    cen.writeUInt16LE(m.deflate ? 8 : 0, 10);
    cen.writeUInt32LE(crc, 16);
    cen.writeUInt32LE(zip64 ? 0xffffffff : body.length, 20);
    cen.writeUInt32LE(zip64 ? 0xffffffff : m.data.length, 24);
    cen.writeUInt16LE(name.length, 28);
    cen.writeUInt16LE(extra.length, 30);
    cen.writeUInt32LE(zip64 ? 0xffffffff : offset, 42);
    central.push(cen, name, extra);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(central);
  const tail: Buffer[] = [];
  if (zip64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeBigUInt64LE(BigInt(members.length), 24);
    rec.writeBigUInt64LE(BigInt(members.length), 32);
    rec.writeBigUInt64LE(BigInt(cd.length), 40);
    rec.writeBigUInt64LE(BigInt(offset), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeBigUInt64LE(BigInt(offset + cd.length), 8);
    tail.push(rec, loc);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(zip64 ? 0xffff : members.length, 8);
  eocd.writeUInt16LE(zip64 ? 0xffff : members.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(zip64 ? 0xffffffff : offset, 16);
  return Buffer.concat([...parts, cd, ...tail, eocd]);
}

/** A member's whole uncompressed bytes. */
async function memberBytes(zip: Uint8Array, e: ZipEntry): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  await streamZipEntry(memorySource(zip), e, 'z', (c) => {
    parts.push(new Uint8Array(c));
  });
  return Buffer.concat(parts);
}

describe('data/npz', () => {
  for (const c of cases.npz) {
    it(`${c.file}: every array as NumPy reads it`, async () => {
      const arrays = await parseNpz(bytesOf(c.file), c.file);
      assert.deepStrictEqual([...arrays.keys()].sort(), Object.keys(c.arrays).sort());
      for (const [k, want] of Object.entries(c.arrays)) {
        const a = arrays.get(k)!;
        assert.strictEqual(a.dtype, want.dtype);
        assert.deepStrictEqual(a.shape, want.shape);
        assert.deepStrictEqual(plain(a.data), want.values);
      }
    });
  }

  it('the fixtures cover both stored (np.savez) and deflated (np.savez_compressed) members', async () => {
    assert.deepStrictEqual(
      (await listZip(memorySource(bytesOf('npz/stored.npz')), 's')).map((e) => e.method),
      [0, 0],
    );
    assert.deepStrictEqual(
      (await listZip(memorySource(bytesOf('npz/deflated.npz')), 'd')).map((e) => e.method),
      [8, 8],
    );
  });

  it('reads ZIP64 archives (end record, locator and extra fields with 0xFFFFFFFF placeholders)', async () => {
    const npy = bytesOf('npy/emb_f8_be_F.npy');
    const members = [
      { name: 'a.npy', data: npy },
      { name: 'b.npy', data: bytesOf('npy/labels_u8_le.npy'), deflate: true },
    ];
    for (const zip64 of [false, true]) {
      const zip = makeZip(members, zip64);
      const entries = await listZip(memorySource(zip), 'z');
      assert.deepStrictEqual(
        entries.map((e) => [e.name, e.size]),
        members.map((m) => [m.name, m.data.length]),
      );
      assert.deepStrictEqual(await memberBytes(zip, entries[1]), Buffer.from(members[1].data));
      const arrays = await parseNpz(zip, 'z.npz');
      assert.deepStrictEqual(arrays.get('a')!.shape, [5, 3]);
    }
  });

  for (const c of cases.malformed.filter((m) => m.file.endsWith('.npz') && !m.loader)) {
    it(`${c.file}: InputError '${c.error}'`, async () => {
      const err = await expectError(() => parseNpz(bytesOf(c.file), c.file), InputError, c.error);
      assert.strictEqual((err as InputError).file, c.file);
    });
  }

  it('a member that inflates past its declared size is refused (no zip bomb)', async () => {
    const big = new Uint8Array(1 << 20);
    const zip = Buffer.from(makeZip([{ name: 'x.npy', data: big, deflate: true }], false));
    // Lie in the central directory: declare 100 bytes.
    const cd = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    zip.writeUInt32LE(100, cd + 24);
    await assert.rejects(
      parseNpz(zip, 'bomb.npz'),
      (e: unknown) => e instanceof InputError && /member x.npy/.test(e.message),
    );
  });
});
