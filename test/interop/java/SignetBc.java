// Bouncy Castle (Debian's bcprov/bcpkix/bcutil 1.72) as a live CMS peer for test/interop/bouncycastle.test.ts.
// It works on DER only (org.bouncycastle.mail.smime is not in Debian's jars): the test cuts the CMS
// blob and the signed entity out of the MIME message, and wraps what this program makes into MIME.
//
// Commands (paths are files; each prints exactly one JSON line):
//   verify  SIG.der ROOT.pem [CONTENT]            RFC 5652 §5.6 signature check of every SignerInfo with
//                                                 the certificates inside, then a PKIX path (RFC 5280 §6,
//                                                 revocation off) to ROOT. Opaque when CONTENT is absent.
//   decrypt CMS.der CERT.pem KEY.pem              EnvelopedData (RFC 5652 §6) or AuthEnvelopedData
//                                                 (RFC 5083), key transport (RSA) or key agreement (ECDH).
//   sign    CONTENT CERT.pem KEY.pem EXTRA.pem OUT.der detached|opaque
//   encrypt CONTENT CERT.pem OUT.der aes256-cbc|aes256-gcm
//   batch                                         one command per stdin line, fields separated by TAB;
//                                                 one JSON line each, so one JVM start serves many.
// Exit status: 0 when every command succeeded, 1 otherwise.
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.security.*;
import java.security.cert.*;
import java.util.*;

import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.*;
import org.bouncycastle.cms.jcajce.*;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.util.Store;

public class SignetBc {
  static final String BC = "BC";

  public static void main(String[] args) throws Exception {
    Security.addProvider(new BouncyCastleProvider());
    boolean allOk = true;
    if (args.length == 1 && args[0].equals("batch")) {
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isEmpty()) continue;
        allOk &= run(line.split("\t", -1));
      }
    } else {
      allOk = run(args);
    }
    System.out.flush();
    System.exit(allOk ? 0 : 1);
  }

  static boolean run(String[] a) {
    String out;
    boolean ok;
    try {
      switch (a[0]) {
        case "verify": out = verify(a); break;
        case "decrypt": out = decrypt(a); break;
        case "sign": out = sign(a); break;
        case "encrypt": out = encrypt(a); break;
        default: throw new IllegalArgumentException("unknown command " + a[0]);
      }
      ok = true;
    } catch (Throwable e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) root = root.getCause();
      out = "{\"ok\":false,\"command\":" + q(a.length > 0 ? a[0] : "") + ",\"error\":" + q(e.getClass().getSimpleName())
          + ",\"message\":" + q(String.valueOf(e.getMessage())) + ",\"cause\":" + q(root.getClass().getSimpleName()) + "}";
      ok = false;
    }
    System.out.println(out);
    return ok;
  }

  // ---- verify ----

  static String verify(String[] a) throws Exception {
    byte[] der = Files.readAllBytes(Paths.get(a[1]));
    X509Certificate root = readCert(a[2]);
    CMSSignedData sd = a.length > 3 && !a[3].isEmpty()
        ? new CMSSignedData(new CMSProcessableByteArray(Files.readAllBytes(Paths.get(a[3]))), der)
        : new CMSSignedData(der);
    Store<X509CertificateHolder> certs = sd.getCertificates();
    JcaX509CertificateConverter conv = new JcaX509CertificateConverter().setProvider(BC);
    List<String> signers = new ArrayList<>();
    Set<String> unsigned = new TreeSet<>();
    int n = 0;
    for (SignerInformation si : sd.getSignerInfos().getSigners()) {
      @SuppressWarnings("unchecked")
      Collection<X509CertificateHolder> match = certs.getMatches(si.getSID());
      if (match.isEmpty()) throw new CMSException("no certificate for signer " + si.getSID());
      X509CertificateHolder holder = match.iterator().next();
      if (!si.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider(BC).build(holder))) {
        throw new CMSException("signature does not verify");
      }
      pkix(conv.getCertificate(holder), root, conv, certs);
      signers.add(holder.getSubject().toString());
      AttributeTable ua = si.getUnsignedAttributes();
      if (ua != null) for (Attribute at : ua.toASN1Structure().getAttributes()) unsigned.add(at.getAttrType().getId());
      n++;
    }
    if (n == 0) throw new CMSException("no SignerInfo");
    StringBuilder s = new StringBuilder("{\"ok\":true,\"command\":\"verify\",\"version\":" + sd.getVersion() + ",\"signers\":[");
    for (int i = 0; i < signers.size(); i++) s.append(i > 0 ? "," : "").append(q(signers.get(i)));
    s.append("],\"unsignedAttributes\":[");
    int i = 0;
    for (String oid : unsigned) s.append(i++ > 0 ? "," : "").append(q(oid));
    s.append("]");
    CMSTypedData content = sd.getSignedContent();
    if (content != null && (a.length <= 3 || a[3].isEmpty())) {
      s.append(",\"content\":").append(q(Base64.getEncoder().encodeToString((byte[]) content.getContent())));
    }
    return s.append("}").toString();
  }

  /** RFC 5280 §6 path validation to the one anchor, with the certificates the message carries. */
  static void pkix(X509Certificate leaf, X509Certificate root, JcaX509CertificateConverter conv, Store<X509CertificateHolder> certs) throws Exception {
    List<X509Certificate> pool = new ArrayList<>();
    @SuppressWarnings("unchecked")
    Collection<X509CertificateHolder> all = certs.getMatches(null);
    for (X509CertificateHolder h : all) pool.add(conv.getCertificate(h));
    java.security.cert.X509CertSelector sel = new java.security.cert.X509CertSelector();
    sel.setCertificate(leaf);
    PKIXBuilderParameters p = new PKIXBuilderParameters(Collections.singleton(new TrustAnchor(root, null)), sel);
    p.setRevocationEnabled(false);
    p.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(pool)));
    CertPathBuilder.getInstance("PKIX", BC).build(p);
  }

  // ---- decrypt ----

  static String decrypt(String[] a) throws Exception {
    byte[] der = Files.readAllBytes(Paths.get(a[1]));
    X509Certificate cert = readCert(a[2]);
    PrivateKey key = readKey(a[3]);
    RecipientInformationStore store;
    String kind;
    String alg;
    try {
      CMSEnvelopedData ed = new CMSEnvelopedData(der);
      store = ed.getRecipientInfos();
      kind = "enveloped";
      alg = ed.getEncryptionAlgOID();
    } catch (CMSException notEnveloped) {
      CMSAuthEnvelopedData ad = new CMSAuthEnvelopedData(der);
      store = ad.getRecipientInfos();
      kind = "authEnveloped";
      alg = org.bouncycastle.asn1.cms.AuthEnvelopedData.getInstance(ad.toASN1Structure().getContent())
          .getAuthEncryptedContentInfo().getContentEncryptionAlgorithm().getAlgorithm().getId();
    }
    RecipientInformation ri = store.get(new JceKeyTransRecipientId(cert));
    String ria = "ktri";
    if (ri == null) {
      ri = store.get(new JceKeyAgreeRecipientId(cert));
      ria = "kari";
    }
    if (ri == null) throw new CMSException("no RecipientInfo for this certificate");
    Recipient r = ri instanceof KeyTransRecipientInformation
        ? new JceKeyTransEnvelopedRecipient(key).setProvider(BC)
        : new JceKeyAgreeEnvelopedRecipient(key).setProvider(BC);
    byte[] plain = ri.getContent(r);
    return "{\"ok\":true,\"command\":\"decrypt\",\"kind\":" + q(kind) + ",\"contentEncryptionAlgorithm\":" + q(alg)
        + ",\"recipientInfo\":" + q(ria) + ",\"content\":" + q(Base64.getEncoder().encodeToString(plain)) + "}";
  }

  // ---- sign ----

  static String sign(String[] a) throws Exception {
    byte[] content = Files.readAllBytes(Paths.get(a[1]));
    X509Certificate cert = readCert(a[2]);
    PrivateKey key = readKey(a[3]);
    X509Certificate extra = readCert(a[4]);
    boolean opaque = a[6].equals("opaque");
    String sigAlg = key.getAlgorithm().startsWith("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
    gen.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().setProvider(BC).build())
        .build(new JcaContentSignerBuilder(sigAlg).setProvider(BC).build(key), cert));
    gen.addCertificates(new JcaCertStore(Arrays.asList(cert, extra)));
    CMSSignedData sd = gen.generate(new CMSProcessableByteArray(content), opaque);
    Files.write(Paths.get(a[5]), sd.getEncoded("DER"));
    return "{\"ok\":true,\"command\":\"sign\",\"signatureAlgorithm\":" + q(sigAlg) + "}";
  }

  // ---- encrypt ----

  static String encrypt(String[] a) throws Exception {
    byte[] content = Files.readAllBytes(Paths.get(a[1]));
    X509Certificate cert = readCert(a[2]);
    boolean gcm = a[4].equals("aes256-gcm");
    RecipientInfoGenerator rig;
    if (cert.getPublicKey().getAlgorithm().startsWith("EC")) {
      // RFC 5753 §3.1 / RFC 8418-style ECDH with the X9.63 KDF over SHA-256, AES-256 key wrap.
      KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC", BC);
      kpg.initialize(((java.security.interfaces.ECPublicKey) cert.getPublicKey()).getParams());
      KeyPair eph = kpg.generateKeyPair();
      rig = new JceKeyAgreeRecipientInfoGenerator(CMSAlgorithm.ECDH_SHA256KDF, eph.getPrivate(), eph.getPublic(), CMSAlgorithm.AES256_WRAP)
          .addRecipient(cert).setProvider(BC);
    } else {
      rig = new JceKeyTransRecipientInfoGenerator(cert).setProvider(BC);
    }
    byte[] der;
    if (gcm) {
      CMSAuthEnvelopedDataGenerator g = new CMSAuthEnvelopedDataGenerator();
      g.addRecipientInfoGenerator(rig);
      der = g.generate(new CMSProcessableByteArray(content),
          (org.bouncycastle.operator.OutputAEADEncryptor) new JceCMSContentEncryptorBuilder(CMSAlgorithm.AES256_GCM).setProvider(BC).build()).getEncoded();
    } else {
      CMSEnvelopedDataGenerator g = new CMSEnvelopedDataGenerator();
      g.addRecipientInfoGenerator(rig);
      der = g.generate(new CMSProcessableByteArray(content),
          new JceCMSContentEncryptorBuilder(CMSAlgorithm.AES256_CBC).setProvider(BC).build()).getEncoded();
    }
    Files.write(Paths.get(a[3]), der);
    return "{\"ok\":true,\"command\":\"encrypt\",\"cipher\":" + q(a[4]) + "}";
  }

  // ---- files, JSON ----

  static X509Certificate readCert(String path) throws Exception {
    try (InputStream in = new FileInputStream(path)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509", BC).generateCertificate(in);
    }
  }

  static PrivateKey readKey(String path) throws Exception {
    try (PEMParser p = new PEMParser(new FileReader(path, StandardCharsets.US_ASCII))) {
      Object o = p.readObject();
      if (!(o instanceof PrivateKeyInfo)) throw new IllegalArgumentException("not a PKCS#8 private key: " + path);
      return new JcaPEMKeyConverter().setProvider(BC).getPrivateKey((PrivateKeyInfo) o);
    }
  }

  static String q(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }
}
