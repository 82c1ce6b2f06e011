/** Personal data as shown to roles that may not see it in full (domain.md §6). */

/**
 * `13812345678` → `138****5678` (a mobile number, 11 digits or more); a shorter number, such as an
 * 8-digit landline, shows its last two digits only (`23456789` → `******89`), so that no more
 * than half of any number is ever shown.
 */
export function maskPhone(phone: string): string {
  const digits = phone.trim();
  if (digits.length >= 11) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  if (digits.length <= 4) return '*'.repeat(digits.length);
  return `${'*'.repeat(digits.length - 2)}${digits.slice(-2)}`;
}

/** `张三` → `张*`, `欧阳娜娜` → `欧***`: the family name's first character stays. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length === 0) return '';
  return `${chars[0]}${'*'.repeat(Math.max(1, chars.length - 1))}`;
}
