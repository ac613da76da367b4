import { strToU8, zipSync } from "fflate";
import { publishDeps } from "../app/publish-deps.js";
import type { AppServices } from "../app/services.js";
import { publishUpload } from "../packages/publish-upload.js";

interface DemoPackage {
  id: string;
  version: string;
  title: string;
  description: string;
  tags: string;
  dependencies: { id: string; version: string }[];
  script: string;
}

/** Three sample packages: a PowerShell module, a tool that depends on it, and a user-context app. */
export const DEMO_PACKAGES: DemoPackage[] = [
  {
    id: "PSini",
    version: "2.0.5",
    title: "PsIni PowerShell module",
    description: "Reads and writes INI files from PowerShell; other packages depend on it.",
    tags: "powershell module realmjoin:system",
    dependencies: [],
    script: 'Write-Output "Installing PsIni 2.0.5"',
  },
  {
    id: "Contoso.PrinterSetup",
    version: "1.4.0",
    title: "Contoso printer setup",
    description: "Configures the office printers; needs PsIni.",
    tags: "printers realmjoin:system",
    dependencies: [{ id: "PSini", version: "[2.0,3.0)" }],
    script: 'Import-Module "$env:ProgramData\\chocolatey\\lib\\PSini\\PsIni.psm1"',
  },
  {
    id: "Notepad-Plus",
    version: "8.6.0",
    title: "Notepad Plus",
    description: "A text editor installed in the user's context.",
    tags: "editor realmjoin:user",
    dependencies: [],
    script: 'Write-Output "Installing Notepad Plus for $env:USERNAME"',
  },
];

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The .nupkg bytes of a demo package (a real zip with a nuspec and an install script). */
export function demoNupkg(p: DemoPackage): Uint8Array {
  const deps = p.dependencies.map((d) => `<dependency id="${esc(d.id)}" version="${esc(d.version)}" />`).join("");
  const nuspec = `<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2015/06/nuspec.xsd">
  <metadata>
    <id>${esc(p.id)}</id><version>${esc(p.version)}</version><title>${esc(p.title)}</title>
    <authors>RealmJoin demo</authors><description>${esc(p.description)}</description><tags>${esc(p.tags)}</tags>
    <dependencies>${deps}</dependencies>
  </metadata>
</package>`;
  return zipSync({ [`${p.id}.nuspec`]: strToU8(nuspec), "tools/chocolateyInstall.ps1": strToU8(p.script) });
}

/**
 * Publishes the demo packages into a realm and assigns them: the printer setup (and with it PsIni)
 * required for everyone, Notepad Plus available. Idempotent: the same bytes publish as "unchanged".
 */
export async function seedDemoPackages(services: AppServices, realmId: string): Promise<void> {
  for (const p of DEMO_PACKAGES) {
    const bytes = demoNupkg(p);
    await publishUpload(
      await publishDeps(services),
      realmId,
      (async function* () {
        yield bytes;
      })(),
      services.settings.RJ_UPLOAD_LIMIT_BYTES,
      bytes.byteLength,
    );
  }
  await services.packages.assignments.put(realmId, "printers-for-everyone", { packageId: "Contoso.PrinterSetup", target: { type: "all" }, intent: "required" });
  await services.packages.assignments.put(realmId, "notepad-self-service", { packageId: "Notepad-Plus", target: { type: "all" }, intent: "available" });
}
