// A throwaway certificate for 127.0.0.1, made per test run, and how to make a process trust it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { globalAgent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface TestCertificate {
  key: string;
  cert: string;
  /** A PEM file to hand another process as NODE_EXTRA_CA_CERTS. */
  caFile: string;
}

export async function makeTestCertificate(): Promise<TestCertificate> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  const caFile = join(mkdtempSync(join(tmpdir(), 'test-ca-')), 'ca.pem');
  writeFileSync(caFile, pems.cert);
  return { key: pems.private, cert: pems.cert, caFile };
}

/**
 * This process trusts the certificate from now on, for clients on node's https module (pdjs goes through
 * cross-fetch and node-fetch to it). A child process gets the same with NODE_EXTRA_CA_CERTS=caFile.
 */
export function trustInThisProcess({ cert }: TestCertificate): void {
  globalAgent.options.ca = [...[globalAgent.options.ca ?? []].flat(), cert];
}
