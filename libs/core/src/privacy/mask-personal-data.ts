/** Personal data as shown to roles that may not see it in full (domain.md §6). */

/** `13812345678` → `138****5678`; shorter numbers keep at most their first and last two digits. */
export function maskPhone(phone: string): string {
  const digits = phone.trim();
  if (digits.length >= 7) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  if (digits.length <= 2) return '*'.repeat(digits.length);
  return `${digits[0]}${'*'.repeat(digits.length - 2)}${digits[digits.length - 1]}`;
}

/** `张三` → `张*`, `欧阳娜娜` → `欧***`: the family name's first character stays. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length === 0) return '';
  return `${chars[0]}${'*'.repeat(Math.max(1, chars.length - 1))}`;
}
