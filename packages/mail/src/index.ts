export {
  MailError,
  smtpMailer,
  parseSmtpUrl,
  looksLikeAddress,
  type MailErrorCode,
  type MailMessage,
  type Mailer,
  type SmtpMailerOptions,
} from './mailer.ts';
