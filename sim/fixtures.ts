/**
 * Seed content and identities for the simulator. Every startSimulator() call gets fresh copies from
 * createSeed(), so tests that write pages never see each other's data. All secrets are obvious fakes.
 */
import type { SimCredentials, SimUser } from "./types.js";

export const cloudUser: SimUser = {
  accountId: "557058:0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
  email: "ada@example.com",
  displayName: "Ada Lovelace",
  username: "ada",
  userKey: "8a7f808a7a0b1c2d017a0b1c2d3e0001",
};

export const dcUser: SimUser = {
  accountId: "",
  email: "grace@example.com",
  displayName: "Grace Hopper",
  username: "grace",
  userKey: "8a7f808a7a0b1c2d017a0b1c2d3e0002",
};

/** Granular scopes a typical scoped token holds; read:content-details is the v1 "Beta" scope (spec-v1). */
export const granularScopes = [
  "read:page:confluence",
  "write:page:confluence",
  "delete:page:confluence",
  "read:space:confluence",
  "read:attachment:confluence",
  "write:attachment:confluence",
  "delete:attachment:confluence",
  "read:comment:confluence",
  "write:comment:confluence",
  "read:label:confluence",
  "write:label:confluence",
  "read:hierarchical-content:confluence",
  "read:content.metadata:confluence",
  "read:content-details:confluence",
  "read:user:confluence",
];

export const classicScopes = [
  "read:confluence-content.all",
  "read:confluence-content.summary",
  "write:confluence-content",
  "read:confluence-space.summary",
  "write:confluence-file",
  "readonly:content.attachment:confluence",
  "search:confluence",
  "read:confluence-user",
];

export function createCredentials(): SimCredentials & { cloud: { accountPassword: string } } {
  return {
    cloud: {
      email: cloudUser.email,
      apiToken: "fake-cloud-api-token-0001",
      scopedToken: "fake-scoped-api-token-granular-0001",
      scopedTokenScopes: [...granularScopes],
      scopedTokenClassic: "fake-scoped-api-token-classic-0001",
      expiredApiToken: "fake-cloud-api-token-expired-0001",
      accountPassword: "fake-account-password-0001",
    },
    dc: {
      username: dcUser.username,
      password: "fake-dc-password-0001",
      pat: "fake-dc-pat-0001",
      sessionCookie: "fake-dc-session-0001",
    },
    jiraDc: {
      username: dcUser.username,
      password: "fake-jira-dc-password-0001",
      pat: "fake-jira-dc-pat-0001",
    },
    oauth: {
      clientId: "fake-oauth-client-id-0001",
      clientSecret: "fake-oauth-client-secret-0001",
      // confl's default callback URL (what its README tells people to register) and two others
      redirectUris: [
        "http://127.0.0.1:8976/callback",
        "http://localhost/callback",
        "https://example.com/callback",
      ],
    },
  };
}

export interface SpaceRecord {
  id: string;
  key: string;
  name: string;
  type: "global" | "personal";
  status: "current";
  authorId: string;
  createdAt: string;
  homepageId: string;
  description: string;
}

export interface VersionRecord {
  number: number;
  createdAt: string;
  message: string;
  minorEdit: boolean;
  authorId: string;
}

export interface PageRecord {
  id: string;
  spaceId: string;
  title: string;
  parentId: string | null;
  status: "current" | "trashed" | "draft" | "archived";
  position: number;
  authorId: string;
  createdAt: string;
  version: VersionRecord;
  body: string;
  labels: string[];
  /** earlier versions, oldest first (v2 `?version=N`, v1 `?status=historical&version=N`) */
  history?: Array<{ title: string; body: string; version: VersionRecord }>;
  /** content properties (v2 /pages/{id}/properties, v1 /content/{id}/property), each with its own version */
  properties?: PropertyRecord[];
}

export interface PropertyRecord {
  id: string;
  key: string;
  /** any JSON value */
  value: unknown;
  version: VersionRecord;
}

export interface AttachmentRecord {
  id: string;
  pageId: string;
  title: string;
  mediaType: string;
  fileId: string;
  bytes: Buffer;
  /** bytes kept on disk instead (settings.uploadSpoolDir); `bytes` is then empty */
  spooled?: { path: string; size: number };
  comment: string;
  status: "current";
  createdAt: string;
  version: VersionRecord;
}

export interface CommentRecord {
  id: string;
  pageId: string;
  body: string;
  status: "current";
  createdAt: string;
  authorId: string;
  version: VersionRecord;
}

export interface LabelRecord {
  id: string;
  name: string;
  prefix: "global" | "my" | "team";
}

export interface Seed {
  spaces: SpaceRecord[];
  pages: PageRecord[];
  attachments: AttachmentRecord[];
  comments: CommentRecord[];
  labels: LabelRecord[];
}

/** A 1×1 transparent PNG, real bytes so downloads can be compared byte for byte. */
export const tinyPng = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);

export const releaseNotesText = "Release notes\nline two: a < b & c > d\n";

/**
 * A storage-format body exercising what converters get wrong: a code macro whose CDATA holds `<`, `&` and a
 * `]]>` split as `]]]]><![CDATA[>`, info/warning/note panels, a table cell with `|`, ac:link + ri:page,
 * ac:image + ri:attachment, a task list and `&nbsp;`.
 */
export const showcaseStorage = [
  "<h1>Release checklist</h1>",
  "<p>Follow these steps&nbsp;before tagging a release.</p>",
  '<ac:structured-macro ac:name="info" ac:schema-version="1" ac:macro-id="2f1c0a8e-1b7d-4c55-9d3e-6a1f0b2c3d4e">',
  "<ac:rich-text-body><p>Builds run nightly at 02:00 UTC.</p></ac:rich-text-body></ac:structured-macro>",
  '<ac:structured-macro ac:name="warning" ac:schema-version="1" ac:macro-id="5b6c7d8e-9f01-4a23-8b45-c6d7e8f90a1b">',
  '<ac:parameter ac:name="title">Careful</ac:parameter>',
  "<ac:rich-text-body><p>Never tag on a Friday &amp; never without a green build.</p></ac:rich-text-body></ac:structured-macro>",
  '<ac:structured-macro ac:name="note" ac:schema-version="1" ac:macro-id="7c8d9e0f-1a2b-4c3d-9e4f-5a6b7c8d9e0f">',
  "<ac:rich-text-body><p>Ask the release captain first.</p></ac:rich-text-body></ac:structured-macro>",
  '<ac:structured-macro ac:name="code" ac:schema-version="1" ac:macro-id="9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d">',
  '<ac:parameter ac:name="language">typescript</ac:parameter>',
  '<ac:plain-text-body><![CDATA[const end = "]]]]><![CDATA[>";\nif (a < b && b > c) {\n  console.log(a + " & " + b);\n}]]></ac:plain-text-body>',
  "</ac:structured-macro>",
  "<table><tbody><tr><th><p>Step</p></th><th><p>Command</p></th></tr>",
  "<tr><td><p>Build</p></td><td><p><code>npm run build | tee build.log</code></p></td></tr>",
  "<tr><td><p>Tag</p></td><td><p><code>git tag v1.2.3</code></p></td></tr></tbody></table>",
  '<p>See <ac:link><ri:page ri:content-title="Getting started" ri:space-key="DOC" />',
  "<ac:plain-text-link-body><![CDATA[the getting-started guide]]></ac:plain-text-link-body></ac:link>.</p>",
  '<p><ac:image ac:height="64"><ri:attachment ri:filename="diagram.png" /></ac:image></p>',
  "<ac:task-list>",
  "<ac:task><ac:task-id>1</ac:task-id><ac:task-status>complete</ac:task-status><ac:task-body>Update the changelog</ac:task-body></ac:task>",
  "<ac:task><ac:task-id>2</ac:task-id><ac:task-status>incomplete</ac:task-status><ac:task-body>Announce the release</ac:task-body></ac:task>",
  "</ac:task-list>",
].join("");

const epoch = Date.parse("2026-10-06T12:00:00.000Z");
function at(minutes: number): string {
  return new Date(epoch + minutes * 60_000).toISOString();
}

function version(number: number, minutes: number, authorId: string): VersionRecord {
  return { number, createdAt: at(minutes), message: "", minorEdit: false, authorId };
}

export const seedIds = {
  docSpace: "98305",
  engSpace: "98306",
  personalSpace: "98307",
  docHome: "65536",
  gettingStarted: "65537",
  releaseChecklist: "65538",
  engHome: "65600",
  personalHome: "65700",
  diagramAttachment: "att131073",
  notesAttachment: "att131074",
} as const;

/** Fresh seed content: DOC has 63 pages (v2 limit 25 → three pages of results), ENG and a personal space. */
export function createSeed(): Seed {
  const author = cloudUser.accountId;
  const spaces: SpaceRecord[] = [
    {
      id: seedIds.docSpace,
      key: "DOC",
      name: "Documentation",
      type: "global",
      status: "current",
      authorId: author,
      createdAt: at(0),
      homepageId: seedIds.docHome,
      description: "Product documentation",
    },
    {
      id: seedIds.engSpace,
      key: "ENG",
      name: "Engineering",
      type: "global",
      status: "current",
      authorId: author,
      createdAt: at(1),
      homepageId: seedIds.engHome,
      description: "Engineering notes",
    },
    {
      id: seedIds.personalSpace,
      key: "~ada",
      name: "Ada Lovelace",
      type: "personal",
      status: "current",
      authorId: author,
      createdAt: at(2),
      homepageId: seedIds.personalHome,
      description: "",
    },
  ];
  const page = (
    id: string,
    spaceId: string,
    title: string,
    parentId: string | null,
    position: number,
    body: string,
    versionNumber = 1,
    labels: string[] = [],
  ): PageRecord => ({
    id,
    spaceId,
    title,
    parentId,
    status: "current",
    position,
    authorId: author,
    createdAt: at(10 + Number(id) - 65536),
    version: version(versionNumber, 20 + Number(id) - 65536, author),
    body,
    labels,
  });
  const pages: PageRecord[] = [
    page(
      seedIds.docHome,
      seedIds.docSpace,
      "Documentation Home",
      null,
      0,
      "<p>Welcome to the documentation.</p>",
      3,
    ),
    page(
      seedIds.gettingStarted,
      seedIds.docSpace,
      "Getting started",
      seedIds.docHome,
      0,
      "<p>Install the tool, then run <code>confl auth login</code>.</p>",
      2,
      ["guide"],
    ),
    page(
      seedIds.releaseChecklist,
      seedIds.docSpace,
      "Release checklist",
      seedIds.docHome,
      1,
      showcaseStorage,
      7,
      ["release", "checklist"],
    ),
  ];
  // The release checklist is at version 7; versions 1–6 were shorter drafts.
  const checklist = pages.find((p) => p.id === seedIds.releaseChecklist)!;
  checklist.history = [1, 2, 3, 4, 5, 6].map((n) => ({
    title: n === 1 ? "Release steps" : "Release checklist",
    body: `<p>Release checklist, draft ${n}.</p>`,
    version: version(n, 10 + n, author),
  }));
  checklist.properties = [
    {
      id: "400001",
      key: "release-meta",
      value: { owner: "ada", due: "2026-12-01" },
      version: version(2, 18, author),
    },
  ];
  const sections = ["Guides", "Reference", "Tutorials", "Operations", "FAQ"];
  let nextId = 65539;
  sections.forEach((section, sectionIndex) => {
    const sectionId = String(nextId++);
    pages.push(
      page(
        sectionId,
        seedIds.docSpace,
        section,
        seedIds.docHome,
        sectionIndex + 2,
        `<p>${section} overview.</p>`,
      ),
    );
    for (let n = 1; n <= 11; n++) {
      const id = String(nextId++);
      pages.push(
        page(
          id,
          seedIds.docSpace,
          `${section} ${String(n).padStart(2, "0")}`,
          sectionId,
          n - 1,
          `<p>${section} topic ${n}.</p>`,
        ),
      );
    }
  });
  pages.push(
    page(seedIds.engHome, seedIds.engSpace, "Engineering Home", null, 0, "<p>Engineering space.</p>"),
    page(
      "65601",
      seedIds.engSpace,
      "Architecture",
      seedIds.engHome,
      0,
      "<p>Services talk over HTTP.</p>",
      4,
      ["architecture"],
    ),
    page(
      "65602",
      seedIds.engSpace,
      "On-call runbook",
      seedIds.engHome,
      1,
      "<p>Page the on-call engineer.</p>",
    ),
    page(seedIds.personalHome, seedIds.personalSpace, "Ada's notes", null, 0, "<p>Personal notes.</p>"),
  );
  const attachments: AttachmentRecord[] = [
    {
      id: seedIds.diagramAttachment,
      pageId: seedIds.releaseChecklist,
      title: "diagram.png",
      mediaType: "image/png",
      fileId: "3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c",
      bytes: Buffer.from(tinyPng),
      comment: "Release flow",
      status: "current",
      createdAt: at(30),
      version: version(1, 30, author),
    },
    {
      id: seedIds.notesAttachment,
      pageId: seedIds.releaseChecklist,
      title: "release-notes.txt",
      mediaType: "text/plain",
      fileId: "4a3b2c1d-0e9f-4a8b-9c7d-6e5f4a3b2c1d",
      bytes: Buffer.from(releaseNotesText, "utf8"),
      comment: "",
      status: "current",
      createdAt: at(31),
      version: version(2, 32, author),
    },
  ];
  const comments: CommentRecord[] = [
    {
      id: "196609",
      pageId: seedIds.releaseChecklist,
      body: "<p>Looks good to me.</p>",
      status: "current",
      createdAt: at(40),
      authorId: author,
      version: version(1, 40, author),
    },
    {
      id: "196610",
      pageId: seedIds.releaseChecklist,
      body: "<p>Please add the rollback step.</p>",
      status: "current",
      createdAt: at(41),
      authorId: author,
      version: version(1, 41, author),
    },
  ];
  const labels: LabelRecord[] = [
    { id: "262145", name: "guide", prefix: "global" },
    { id: "262146", name: "release", prefix: "global" },
    { id: "262147", name: "checklist", prefix: "global" },
    { id: "262148", name: "architecture", prefix: "global" },
  ];
  return { spaces, pages, attachments, comments, labels };
}
