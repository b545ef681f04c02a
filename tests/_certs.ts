// Throwaway TLS material made with openssl at test time: a CA, server
// certificates for 127.0.0.1/localhost and for another host name, and a
// client certificate for mutual TLS. Nothing is committed or reused.

/** PEM texts of the generated certificates and keys. */
export interface TestCerts {
  /** The CA that signed everything below. */
  ca: string;
  /** Server certificate valid for localhost and 127.0.0.1, and its key. */
  server: { cert: string; key: string };
  /** Server certificate valid only for other.example, and its key. */
  otherHost: { cert: string; key: string };
  /** Client certificate (clientAuth) for mutual TLS, and its key. */
  client: { cert: string; key: string };
}

async function openssl(dir: string, args: string[]): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

async function leaf(dir: string, name: string, cn: string, extensions: string[]) {
  await openssl(dir, [
    "req",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.csr`,
    "-subj",
    `/CN=${cn}`,
  ]);
  await Deno.writeTextFile(`${dir}/${name}.ext`, extensions.join("\n"));
  await openssl(dir, [
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    `${name}.pem`,
    "-days",
    "2",
    "-sha256",
    "-extfile",
    `${name}.ext`,
  ]);
  return {
    cert: await Deno.readTextFile(`${dir}/${name}.pem`),
    key: await Deno.readTextFile(`${dir}/${name}.key`),
  };
}

/** Generates a fresh CA and the certificates signed by it. */
export async function makeCerts(): Promise<TestCerts> {
  const dir = await Deno.makeTempDir({ prefix: "aiocent-certs-" });
  try {
    await openssl(dir, [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      "2",
      "-sha256",
      "-subj",
      "/CN=aiocent test CA",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    const common = ["basicConstraints=CA:FALSE", "keyUsage=critical,digitalSignature"];
    return {
      ca: await Deno.readTextFile(`${dir}/ca.pem`),
      server: await leaf(dir, "server", "localhost", [
        ...common,
        "extendedKeyUsage=serverAuth",
        "subjectAltName=DNS:localhost,IP:127.0.0.1",
      ]),
      otherHost: await leaf(dir, "other", "other.example", [
        ...common,
        "extendedKeyUsage=serverAuth",
        "subjectAltName=DNS:other.example",
      ]),
      client: await leaf(dir, "client", "aiocent test client", [
        ...common,
        "extendedKeyUsage=clientAuth",
      ]),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
