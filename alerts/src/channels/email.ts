import { createHash } from 'node:crypto';
import { MailError, type Mailer } from '@airbox/mail';
import { failure, type ChannelSender } from './channel.ts';

/**
 * E-mail through the server's Mailer (--smtp-url). The Message-ID comes from the idempotency
 * key, so a message sent twice (a crash between the server's 250 and the outbox update) has
 * one id and mail clients show it once. List-Unsubscribe with List-Unsubscribe-Post (RFC
 * 8058) gives a one-click "unsubscribe" button in the mail client; the link is in the body too.
 */
export function emailSender(mailer: Mailer | null, messageIdHost: string): ChannelSender {
  return {
    async send({ envelope, message, unsubscribeUrl }) {
      const { channel, key } = envelope;
      if (channel.type !== 'email') return failure(true, `not an e-mail channel: ${channel.type}`);
      // Not lost: held for the operator to set --smtp-url, until the outbox gives up.
      if (mailer === null) return failure(false, 'no --smtp-url: this server mails nothing');
      try {
        await mailer.send({
          to: channel.address,
          subject: message.subject,
          text: message.text,
          headers: {
            'List-Unsubscribe': `<${unsubscribeUrl}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
            'X-AirBox-Delivery': key,
          },
          messageId: `${createHash('sha256').update(key).digest('hex').slice(0, 32)}@${messageIdHost}`,
        });
        return { ok: true };
      } catch (e) {
        return failure(e instanceof MailError ? e.permanent : false, (e as Error).message);
      }
    },
  };
}
