import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sameText } from '../../core/credentials.js';

export interface ObjectStorageSandboxOptions {
  /** Where objects and unfinished multipart uploads are kept. */
  root: string;
  /** Buckets that exist; any other bucket is NoSuchBucket. */
  buckets: string[];
  /** The one credential the sandbox accepts; requests are checked as S3 checks SigV4. */
  accessKeyId: string;
  secretAccessKey: string;
}

export interface ObjectStorageSandbox {
  /** Listens on 127.0.0.1 (port 0: an ephemeral one) and resolves with the port it listens on. */
  start(port: number): Promise<number>;
  /** `http://127.0.0.1:<port>` while it listens: the endpoint to give the S3 client (path style). */
  endpoint(): string;
  /** Multipart uploads begun and neither completed nor aborted (tests check a failed write leaves none). */
  openUploads(): Promise<number>;
  /** Multipart uploads begun, completed and aborted since start. */
  multipartCounts(): { begun: number; completed: number; aborted: number };
  stop(): Promise<void>;
}

/** What the sandbox keeps beside each object's bytes. */
interface ObjectRecord {
  key: string;
  /** The file holding the bytes; each write has its own, so a record never points at another write's bytes. */
  file: string;
  sizeBytes: number;
  etag: string;
  contentType: string;
  lastModified: string;
  metadata: Record<string, string>;
}

interface UploadRecord {
  bucket: string;
  key: string;
  contentType: string;
  metadata: Record<string, string>;
}

/** S3's smallest part that is not the last one. */
const MIN_PART_BYTES = 5 * 1024 * 1024;
const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly resource?: { Key?: string; BucketName?: string; UploadId?: string },
  ) {
    super(message);
  }
}

const noSuchKey = (key: string) => new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
const noSuchUpload = (uploadId: string) =>
  new S3Error(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', { UploadId: uploadId });

function xmlText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function unescapeXml(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function xmlDocument(root: string, fields: Record<string, string>): string {
  const body = Object.entries(fields)
    .map(([name, value]) => `<${name}>${xmlText(value)}</${name}>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${S3_NAMESPACE}">${body}</${root}>`;
}

/** RFC 3986 encoding as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const sha256Hex = (value: string) => createHash('sha256').update(value).digest('hex');
const hmac = (key: Buffer | string, value: string) => createHmac('sha256', key).update(value).digest();

/**
 * Checks a request's SigV4 Authorization header as S3 does: an unknown access key id is refused
 * before anything else, then the signature is recomputed over the canonical request. The payload
 * hash is taken as the client declared it (x-amz-content-sha256); the bytes are not re-hashed.
 */
function authenticate(req: IncomingMessage, path: string, query: URLSearchParams, options: ObjectStorageSandboxOptions): void {
  const authorization = req.headers.authorization ?? '';
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(authorization);
  if (!match) throw new S3Error(403, 'AccessDenied', 'Access Denied');
  const [, accessKeyId, day, region, signedHeaders, signature] = match as unknown as [string, string, string, string, string, string];
  if (!sameText(accessKeyId, options.accessKeyId)) throw new S3Error(403, 'AccessDenied', 'Access Denied');

  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const payloadHash = String(req.headers['x-amz-content-sha256'] ?? '');
  const canonicalHeaders = signedHeaders
    .split(';')
    .map((name) => {
      const value = req.headers[name];
      const text = Array.isArray(value) ? value.join(',') : (value ?? '');
      return `${name}:${text.trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
  const canonicalQuery = [...query.entries()]
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const canonicalRequest = [req.method, path, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${day}/${region}/s3/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${options.secretAccessKey}`, day), region), 's3'), 'aws4_request');
  const expected = createHmac('sha256', signingKey).update(stringToSign).digest('hex');
  if (!sameText(signature, expected)) {
    throw new S3Error(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
  }
}

/**
 * Decodes `Content-Encoding: aws-chunked` bodies (`<hex size>[;chunk-signature=...]\r\n<bytes>\r\n`
 * ... `0\r\n` then trailers such as a checksum), which the SDK sends for streamed uploads.
 */
function awsChunkedDecoder(): Transform {
  let buffer: Buffer = Buffer.alloc(0);
  let remaining = 0;
  let state: 'header' | 'data' | 'crlf' | 'trailer' = 'header';
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      try {
        for (;;) {
          if (state === 'header') {
            const end = buffer.indexOf('\r\n');
            if (end < 0) break;
            const size = Number.parseInt(buffer.subarray(0, end).toString('latin1').split(';')[0]!, 16);
            if (!Number.isFinite(size)) throw new Error('malformed aws-chunked body');
            buffer = buffer.subarray(end + 2);
            remaining = size;
            state = size === 0 ? 'trailer' : 'data';
          } else if (state === 'data') {
            if (!buffer.length) break;
            const take = buffer.subarray(0, remaining);
            this.push(take);
            remaining -= take.length;
            buffer = buffer.subarray(take.length);
            if (remaining === 0) state = 'crlf';
          } else if (state === 'crlf') {
            if (buffer.length < 2) break;
            buffer = buffer.subarray(2);
            state = 'header';
          } else {
            // Trailers (checksums) are accepted unchecked.
            buffer = Buffer.alloc(0);
            break;
          }
        }
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
}

/** The request body as the object's bytes, whatever transfer encoding the SDK chose. */
function objectBytes(req: IncomingMessage): Readable {
  const chunked = String(req.headers['content-encoding'] ?? '').includes('aws-chunked') || String(req.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');
  return chunked ? req.pipe(awsChunkedDecoder()) : req;
}

function metadataOf(req: IncomingMessage): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('x-amz-meta-') && value !== undefined) metadata[name.slice('x-amz-meta-'.length)] = Array.isArray(value) ? value.join(',') : value;
  }
  return metadata;
}

/**
 * A local imitation of the S3 API the backup storage uses, path style
 * (`/<bucket>/<key>`): PutObject, CopyObject, GetObject, HeadObject, DeleteObject and multipart
 * uploads, with S3's XML answers and error codes, objects streamed to and from disk. The real
 * SDK runs against it (endpoint + forcePathStyle). Not a general S3: no listing, versions or ACLs.
 */
export function createObjectStorageSandbox(options: ObjectStorageSandboxOptions): ObjectStorageSandbox {
  const root = resolve(options.root);
  const buckets = new Set(options.buckets);
  const uploadsDir = join(root, '.uploads');
  const tmpDir = join(root, '.tmp');
  // Keys may hold any characters; files are named by the key's hash so no key can reach outside its bucket.
  const bucketDir = (bucket: string) => join(root, 'buckets', bucket);
  const recordPath = (bucket: string, key: string) => join(bucketDir(bucket), `${createHash('sha256').update(key).digest('hex')}.json`);
  const bytesPath = (bucket: string, record: ObjectRecord) => join(bucketDir(bucket), record.file);
  const uploadPath = (uploadId: string) => join(uploadsDir, uploadId);
  const counts = { begun: 0, completed: 0, aborted: 0 };

  async function readRecord(bucket: string, key: string): Promise<ObjectRecord | null> {
    try {
      return JSON.parse(await readFile(recordPath(bucket, key), 'utf8')) as ObjectRecord;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async function readUpload(uploadId: string): Promise<UploadRecord> {
    if (!/^[A-Za-z0-9_-]+$/.test(uploadId)) throw noSuchUpload(uploadId);
    try {
      return JSON.parse(await readFile(join(uploadPath(uploadId), 'upload.json'), 'utf8')) as UploadRecord;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw noSuchUpload(uploadId);
      throw error;
    }
  }

  /** Streams bytes into a temporary file, answering size and MD5 (the ETag S3 gives a single upload). */
  async function receive(source: Readable): Promise<{ path: string; sizeBytes: number; md5: string }> {
    await mkdir(tmpDir, { recursive: true });
    const path = join(tmpDir, randomUUID());
    const md5 = createHash('md5');
    let sizeBytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        md5.update(chunk);
        sizeBytes += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await pipeline(source, meter, createWriteStream(path));
    } catch (error) {
      await rm(path, { force: true });
      throw error;
    }
    return { path, sizeBytes, md5: md5.digest('hex') };
  }

  /**
   * Makes an object visible at once: its bytes under a name of their own first, then the record
   * that makes them readable replaces the old one, then the old bytes go (a reader that opened
   * them still reads them whole).
   */
  async function publish(bucket: string, fields: Omit<ObjectRecord, 'file'>, receivedPath: string): Promise<ObjectRecord> {
    const previous = await readRecord(bucket, fields.key);
    const record: ObjectRecord = { ...fields, file: randomUUID() };
    await mkdir(bucketDir(bucket), { recursive: true });
    await rename(receivedPath, bytesPath(bucket, record));
    const recordTmp = join(tmpDir, `${randomUUID()}.json`);
    await writeFile(recordTmp, JSON.stringify(record));
    await rename(recordTmp, recordPath(bucket, record.key));
    if (previous) await rm(bytesPath(bucket, previous), { force: true });
    return record;
  }

  function objectHeaders(res: ServerResponse, record: ObjectRecord): void {
    res.setHeader('Content-Length', record.sizeBytes);
    res.setHeader('Content-Type', record.contentType);
    res.setHeader('ETag', record.etag);
    res.setHeader('Last-Modified', new Date(record.lastModified).toUTCString());
    for (const [name, value] of Object.entries(record.metadata)) res.setHeader(`x-amz-meta-${name}`, value);
  }

  async function putObject(req: IncomingMessage, res: ServerResponse, bucket: string, key: string): Promise<void> {
    const received = await receive(objectBytes(req));
    const record = await publish(
      bucket,
      {
        key,
        sizeBytes: received.sizeBytes,
        etag: `"${received.md5}"`,
        contentType: String(req.headers['content-type'] ?? 'binary/octet-stream'),
        lastModified: new Date().toISOString(),
        metadata: metadataOf(req),
      },
      received.path,
    );
    res.setHeader('ETag', record.etag);
    res.end();
  }

  async function copyObject(req: IncomingMessage, res: ServerResponse, bucket: string, key: string, copySource: string): Promise<void> {
    const source = decodeURIComponent(copySource.split('?')[0]!).replace(/^\//, '');
    const slash = source.indexOf('/');
    const sourceBucket = source.slice(0, slash);
    const sourceKey = source.slice(slash + 1);
    if (slash < 1 || !buckets.has(sourceBucket)) throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: sourceBucket });
    const sourceRecord = await readRecord(sourceBucket, sourceKey);
    if (!sourceRecord) throw noSuchKey(sourceKey);
    const replace = req.headers['x-amz-metadata-directive'] === 'REPLACE';
    if (sourceBucket === bucket && sourceKey === key && !replace) {
      throw new S3Error(400, 'InvalidRequest', 'This copy request is illegal because it is trying to copy an object to itself without changing the object\'s metadata, storage class, website redirect location or encryption attributes.');
    }
    await mkdir(tmpDir, { recursive: true });
    const copyPath = join(tmpDir, randomUUID());
    await pipeline(createReadStream(bytesPath(sourceBucket, sourceRecord)), createWriteStream(copyPath));
    const record = await publish(
      bucket,
      {
        key,
        sizeBytes: sourceRecord.sizeBytes,
        etag: sourceRecord.etag,
        lastModified: new Date().toISOString(),
        contentType: replace ? String(req.headers['content-type'] ?? sourceRecord.contentType) : sourceRecord.contentType,
        metadata: replace ? metadataOf(req) : sourceRecord.metadata,
      },
      copyPath,
    );
    res.setHeader('Content-Type', 'application/xml');
    res.end(xmlDocument('CopyObjectResult', { ETag: record.etag, LastModified: record.lastModified }));
  }

  async function getObject(res: ServerResponse, bucket: string, key: string, withBody: boolean): Promise<void> {
    const record = await readRecord(bucket, key);
    if (!record) throw noSuchKey(key);
    let body: Readable | undefined;
    if (withBody) {
      body = createReadStream(bytesPath(bucket, record));
      // Open before answering, so a failure is still an error status rather than a cut body.
      await new Promise<void>((opened, failed) => body!.once('open', () => opened()).once('error', failed)).catch((error: unknown) => {
        // Removed (or replaced) between reading the record and opening its bytes.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw noSuchKey(key);
        throw error;
      });
    }
    objectHeaders(res, record);
    if (!body) {
      res.end();
      return;
    }
    await pipeline(body, res);
  }

  async function deleteObject(res: ServerResponse, bucket: string, key: string): Promise<void> {
    // The record goes first: once it is gone the object is unreadable, whatever happens next.
    const record = await readRecord(bucket, key);
    await rm(recordPath(bucket, key), { force: true });
    if (record) await rm(bytesPath(bucket, record), { force: true });
    res.statusCode = 204;
    res.end();
  }

  async function createMultipartUpload(req: IncomingMessage, res: ServerResponse, bucket: string, key: string): Promise<void> {
    const uploadId = randomBytes(24).toString('base64url');
    const upload: UploadRecord = {
      bucket,
      key,
      contentType: String(req.headers['content-type'] ?? 'binary/octet-stream'),
      metadata: metadataOf(req),
    };
    await mkdir(uploadPath(uploadId), { recursive: true });
    await writeFile(join(uploadPath(uploadId), 'upload.json'), JSON.stringify(upload));
    counts.begun += 1;
    res.setHeader('Content-Type', 'application/xml');
    res.end(xmlDocument('InitiateMultipartUploadResult', { Bucket: bucket, Key: key, UploadId: uploadId }));
  }

  async function uploadPart(req: IncomingMessage, res: ServerResponse, bucket: string, key: string, uploadId: string, partNumberText: string): Promise<void> {
    const upload = await readUpload(uploadId);
    if (upload.bucket !== bucket || upload.key !== key) throw noSuchUpload(uploadId);
    const partNumber = Number(partNumberText);
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) {
      throw new S3Error(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive');
    }
    const received = await receive(objectBytes(req));
    await rename(received.path, join(uploadPath(uploadId), `part-${partNumber}`));
    // Each part has its own record: parts of one upload arrive concurrently.
    const etag = `"${received.md5}"`;
    await writeFile(join(uploadPath(uploadId), `part-${partNumber}.json`), JSON.stringify({ etag, sizeBytes: received.sizeBytes }));
    res.setHeader('ETag', etag);
    res.end();
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > 1024 * 1024) throw new S3Error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  async function completeMultipartUpload(req: IncomingMessage, res: ServerResponse, bucket: string, key: string, uploadId: string): Promise<void> {
    const upload = await readUpload(uploadId);
    if (upload.bucket !== bucket || upload.key !== key) throw noSuchUpload(uploadId);
    const xml = await readBody(req);
    const listed = [...xml.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map(([, part]) => ({
      partNumber: Number(/<PartNumber>(\d+)<\/PartNumber>/.exec(part!)?.[1]),
      etag: unescapeXml(/<ETag>([\s\S]*?)<\/ETag>/.exec(part!)?.[1] ?? ''),
    }));
    if (!listed.length) throw new S3Error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
    const stored: { etag: string; sizeBytes: number }[] = [];
    for (const [index, part] of listed.entries()) {
      if (index > 0 && part.partNumber <= listed[index - 1]!.partNumber) {
        throw new S3Error(400, 'InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.', { UploadId: uploadId });
      }
      let found: { etag: string; sizeBytes: number };
      try {
        found = JSON.parse(await readFile(join(uploadPath(uploadId), `part-${part.partNumber}.json`), 'utf8')) as { etag: string; sizeBytes: number };
      } catch {
        throw new S3Error(400, 'InvalidPart', 'One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part\'s entity tag.', { UploadId: uploadId });
      }
      if (found.etag.replace(/"/g, '') !== part.etag.replace(/"/g, '')) {
        throw new S3Error(400, 'InvalidPart', 'One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part\'s entity tag.', { UploadId: uploadId });
      }
      if (index < listed.length - 1 && found.sizeBytes < MIN_PART_BYTES) {
        throw new S3Error(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.');
      }
      stored.push(found);
    }
    await mkdir(tmpDir, { recursive: true });
    const assembled = join(tmpDir, randomUUID());
    const out = createWriteStream(assembled);
    try {
      for (const part of listed) await pipeline(createReadStream(join(uploadPath(uploadId), `part-${part.partNumber}`)), out, { end: false });
      await new Promise<void>((finished, failed) => out.end((error?: Error | null) => (error ? failed(error) : finished())));
    } catch (error) {
      out.destroy();
      await rm(assembled, { force: true });
      throw error;
    }
    // S3's multipart ETag: the MD5 of the parts' binary MD5s, then "-<part count>".
    const md5OfMd5s = createHash('md5');
    for (const part of stored) md5OfMd5s.update(Buffer.from(part.etag.replace(/"/g, ''), 'hex'));
    const record = await publish(
      bucket,
      {
        key,
        sizeBytes: stored.reduce((sum, part) => sum + part.sizeBytes, 0),
        etag: `"${md5OfMd5s.digest('hex')}-${stored.length}"`,
        contentType: upload.contentType,
        lastModified: new Date().toISOString(),
        metadata: upload.metadata,
      },
      assembled,
    );
    await rm(uploadPath(uploadId), { recursive: true, force: true });
    counts.completed += 1;
    res.setHeader('Content-Type', 'application/xml');
    res.end(xmlDocument('CompleteMultipartUploadResult', { Location: `/${bucket}/${key}`, Bucket: bucket, Key: key, ETag: record.etag }));
  }

  async function abortMultipartUpload(res: ServerResponse, bucket: string, key: string, uploadId: string): Promise<void> {
    const upload = await readUpload(uploadId);
    if (upload.bucket !== bucket || upload.key !== key) throw noSuchUpload(uploadId);
    await rm(uploadPath(uploadId), { recursive: true, force: true });
    counts.aborted += 1;
    res.statusCode = 204;
    res.end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    authenticate(req, url.pathname, url.searchParams, options);
    const [, rawBucket = '', ...rawKey] = url.pathname.split('/');
    const bucket = decodeURIComponent(rawBucket);
    const key = decodeURIComponent(rawKey.join('/'));
    if (!bucket || !key) throw new S3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
    if (!buckets.has(bucket)) throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
    const query = url.searchParams;
    const uploadId = query.get('uploadId');
    switch (req.method) {
      case 'PUT': {
        if (uploadId !== null) return uploadPart(req, res, bucket, key, uploadId, query.get('partNumber') ?? '');
        const copySource = req.headers['x-amz-copy-source'];
        if (typeof copySource === 'string') return copyObject(req, res, bucket, key, copySource);
        return putObject(req, res, bucket, key);
      }
      case 'POST':
        if (query.has('uploads')) return createMultipartUpload(req, res, bucket, key);
        if (uploadId !== null) return completeMultipartUpload(req, res, bucket, key, uploadId);
        break;
      case 'GET':
        return getObject(res, bucket, key, true);
      case 'HEAD':
        return getObject(res, bucket, key, false);
      case 'DELETE':
        if (uploadId !== null) return abortMultipartUpload(res, bucket, key, uploadId);
        return deleteObject(res, bucket, key);
    }
    throw new S3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
  }

  async function answerError(req: IncomingMessage, res: ServerResponse, error: unknown): Promise<void> {
    const s3 = error instanceof S3Error ? error : new S3Error(500, 'InternalError', 'We encountered an internal error. Please try again.');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // Read the rest of a refused body, so the client hears the answer instead of a reset connection.
    if (!req.complete && !req.destroyed) {
      req.resume();
      await new Promise<void>((drained) => req.once('end', drained).once('close', drained));
    }
    res.statusCode = s3.status;
    res.setHeader('x-amz-request-id', randomBytes(8).toString('hex').toUpperCase());
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    res.setHeader('Content-Type', 'application/xml');
    res.end(xmlDocument('Error', { Code: s3.code, Message: s3.message, ...s3.resource, RequestId: randomBytes(8).toString('hex').toUpperCase() }));
  }

  const server = createServer((req, res) => {
    handle(req, res)
      .catch((error: unknown) => answerError(req, res, error))
      .catch(() => res.destroy());
  });

  let listeningOn: number | undefined;
  return {
    async start(port) {
      await mkdir(root, { recursive: true });
      listeningOn = await new Promise<number>((started, failed) => {
        server.once('error', failed);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', failed);
          started((server.address() as AddressInfo).port);
        });
      });
      return listeningOn;
    },
    endpoint() {
      if (listeningOn === undefined) throw new Error('the object storage sandbox is not listening');
      return `http://127.0.0.1:${listeningOn}`;
    },
    async openUploads() {
      try {
        return (await readdir(uploadsDir)).length;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
        throw error;
      }
    },
    multipartCounts: () => ({ ...counts }),
    stop() {
      if (listeningOn === undefined) return Promise.resolve();
      listeningOn = undefined;
      return new Promise<void>((stopped) => {
        server.close(() => stopped());
        server.closeAllConnections();
      });
    },
  };
}
