export const ROLES = ['leader', 'supervisor', 'unit'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as the token says. `unitId` is set for `unit` and only for it. */
export interface Principal {
  subject: string;
  role: Role;
  unitId: string | null;
}
