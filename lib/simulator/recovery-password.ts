/** A BitLocker numerical recovery password: 8 groups of 6 digits, each group a multiple of 11 below 720896. */
export function bitlockerRecoveryPassword(random: () => number = Math.random): string {
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) groups.push(String(Math.floor(random() * 65536) * 11).padStart(6, "0"));
  return groups.join("-");
}
