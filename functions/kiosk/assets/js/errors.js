// Which text explains an API refusal to the person at the kiosk. Screens
// handle their own codes first (slot_full, ticket_not_found…); these are
// the ones every screen may meet, above all the one-time-code errors that
// docs/identity.md names as stable.

/** `{key, args}` for an ApiError (or anything thrown). */
export function describe(err) {
  const code = err?.code;
  const seconds = err?.retryAfter ?? err?.fields?.retry_after ?? 60;
  switch (code) {
    case 'otp_invalid':
      return { key: 'err.otp_invalid', args: { attempts_left: Number(err.fields?.attempts_left ?? 0) } };
    case 'otp_expired':
    case 'otp_exhausted':
    case 'invalid_phone':
    case 'delivery_failed':
    case 'unknown_challenge':
    case 'network':
    case 'unauthorized':
      return { key: `err.${code}`, args: {} };
    case 'phone_locked':
    case 'rate_limited':
      return { key: `err.${code}`, args: { seconds } };
    case 'store_unavailable':
      return { key: 'err.unavailable', args: {} };
    default:
      if (err?.status === 404) return { key: 'err.not_found', args: {} };
      if (err?.status === 429) return { key: 'err.rate_limited', args: { seconds } };
      if (err?.status >= 500) return { key: 'err.unavailable', args: {} };
      return { key: 'err.generic', args: {} };
  }
}
