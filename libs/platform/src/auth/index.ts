export * from './access-token-verifier';
export * from './identity-provider';
export * from './map-claims';
export * from './principal';
export * from './sign-access-token';
export * from './token-lifetime';
